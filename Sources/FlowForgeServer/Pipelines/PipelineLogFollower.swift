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
    /// How soon to look again after a look that found something new; doubles up to `slowestInterval` while
    /// nothing changes, so a follower left on a queued pipeline costs little.
    var interval: Duration = .milliseconds(250)
    var slowestInterval: Duration = .seconds(2)
    /// A client that went away is only noticed on a write: this bounds a follower that never writes again
    /// (the longest PIPELINE_TIMEOUT allowed).
    var maximumDuration: Duration = .seconds(24 * 60 * 60)

    static let chunkBytes = 256 * 1024

    private struct StepProgress {
        var offset = 0
        var opened = false
        /// Opened with its outcome line (first seen ended), which a whole log has only once, at the top.
        var openedWithOutcome = false
        var closed = false
        var endsWithNewline = true
    }

    func stream(into writer: inout any ResponseBodyWriter) async throws {
        var progress: [String: StepProgress] = [:]
        var wait = interval
        let deadline = ContinuousClock.now + maximumDuration
        while ContinuousClock.now < deadline {
            var wrote = false
            var behind = false
            // The pipeline is read before its steps and logs: if it had ended, everything was written by then.
            guard let pipeline = try await pipelines.find(id: pipelineID) else { break }
            for step in try await pipelines.steps(pipelineID: pipelineID) where step.status != .pending {
                var state = progress[step.name] ?? StepProgress()
                guard !state.closed else { continue }
                // Bytes, not text: a chunk may end inside a multi-byte character that the next one completes.
                var text = ByteBuffer()
                let ended = step.status != .running
                let firstLook = !state.opened
                var stepBehind = false
                if firstLook {
                    text.writeString(ended ? PipelineLogText.stepLine(step) : PipelineLogText.runningLine(step.name))
                    state.opened = true
                    state.openedWithOutcome = ended
                }
                // At most one chunk per step and look: a step that writes fast is caught up over several looks
                // (with no wait between them), and the follower's memory stays bounded.
                if let data = try await logs.read(pipelineID: pipelineID, step: step.name, from: state.offset, maxBytes: Self.chunkBytes),
                   !data.isEmpty {
                    state.offset += data.count
                    state.endsWithNewline = data.last == UInt8(ascii: "\n")
                    text.writeBytes(data)
                    stepBehind = data.count == Self.chunkBytes
                }
                behind = behind || stepBehind
                if ended && stepBehind {
                    // More of this step is already written: close it only once it has all been sent.
                    progress[step.name] = state
                    if text.readableBytes > 0 { try await writer.write(text) }
                    wrote = true
                    continue
                }
                if ended {
                    if !state.endsWithNewline { text.writeString("\n") }
                    // A step opened while running is closed with its outcome; one first seen ended already has it.
                    if !state.openedWithOutcome { text.writeString(PipelineLogText.stepLine(step)) }
                    state.closed = true
                }
                progress[step.name] = state
                if text.readableBytes > 0 {
                    try await writer.write(text)
                    wrote = true
                }
            }
            if behind { continue }
            if pipeline.status.isFinished {
                if let line = PipelineLogText.expiredLine(pipeline) { try await writer.write(ByteBuffer(string: line)) }
                if let line = PipelineLogText.endLine(pipeline) { try await writer.write(ByteBuffer(string: line)) }
                break
            }
            wait = wrote ? interval : min(wait * 2, slowestInterval)
            try await Task.sleep(for: wait)
        }
        try await writer.finish(nil)
    }
}
