import FlowForgeRunner
import FlowForgeStore
import Foundation
import Hummingbird

/// Streams a pipeline's log while it is written (`GET …/logs?follow=true`), for a terminal tailing a build.
///
/// Every `interval` it reads the pipeline and its steps, and writes what is new: a step that started gets a
/// `==> step <name> (running)` line, its output follows as it is appended, and when it ends a
/// `==> step <name> (<status>, exit code N)` line closes it (a step that ran and ended between two looks,
/// or never ran, gets just that line, then its output). The answer ends once the pipeline has ended and
/// everything before that is written, with the same last line as the whole log. Works across processes:
/// the state comes from the database and the log files, whichever worker writes them.
struct PipelineLogFollower: Sendable {
    let pipelineID: String
    let pipelines: any PipelineRepository
    let logs: any LogStore
    var interval: Duration = .milliseconds(250)

    private struct StepProgress {
        var offset = 0
        var opened = false
        var closed = false
        var endsWithNewline = true
    }

    func stream(into writer: inout any ResponseBodyWriter) async throws {
        var progress: [String: StepProgress] = [:]
        while true {
            // The pipeline is read before its steps and logs: if it had ended, everything was written by then.
            guard let pipeline = try await pipelines.find(id: pipelineID) else { break }
            for step in try await pipelines.steps(pipelineID: pipelineID) where step.status != .pending {
                var state = progress[step.name] ?? StepProgress()
                guard !state.closed else { continue }
                var text = ""
                let ended = step.status != .running
                let firstLook = !state.opened
                if firstLook {
                    text += ended ? PipelineLogText.stepLine(step) : PipelineLogText.runningLine(step.name)
                    state.opened = true
                }
                if let data = try await logs.read(pipelineID: pipelineID, step: step.name, from: state.offset), !data.isEmpty {
                    state.offset += data.count
                    state.endsWithNewline = data.last == UInt8(ascii: "\n")
                    text += String(decoding: data, as: UTF8.self)
                }
                if ended {
                    if !state.endsWithNewline { text += "\n" }
                    // A step opened while running is closed with its outcome; one first seen ended already has it.
                    if !firstLook { text += PipelineLogText.stepLine(step) }
                    state.closed = true
                }
                progress[step.name] = state
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
            }
            if pipeline.status.isFinished {
                if let line = PipelineLogText.endLine(pipeline) { try await writer.write(ByteBuffer(string: line)) }
                break
            }
            try await Task.sleep(for: interval)
        }
        try await writer.finish(nil)
    }
}
