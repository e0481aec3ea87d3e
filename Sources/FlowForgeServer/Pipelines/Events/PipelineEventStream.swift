import FlowForgeRunner
import FlowForgeStore
import Foundation
import Hummingbird
import Logging
import Synchronization
import ServiceLifecycle

/// A pipeline's events as server-sent events (`GET …/events`): `pipeline`, `step`, `log` and a last `end`.
///
/// It polls the database and reads the log store, like the text follower, so it works on any replica and
/// holds no more than one chunk per step: each write is awaited, so a slow client slows the reading instead
/// of filling memory. Each event's id is the stream's `PipelineEventCursor` after it.
///
/// Every reader tells the same story: the pipeline's `pending` (when seen) and `running`; per step, in the
/// order of the pipeline, `step` with status `running` (for a step that ran), its lines as `log` events,
/// then `step` with its outcome once all its output is sent; then the pipeline's final `pipeline` event and
/// `end`. Steps that ended are finished in order before later ones, so a late reader gets the log as it
/// was written; steps running side by side interleave as they are read.
struct PipelineEventStream: Sendable {
    let pipelineID: String
    let pipelines: any PipelineRepository
    let logs: any LogStore
    let logger: Logger
    /// How long the stream may stay silent before a `:` comment is written.
    var keepAlive: Duration = .seconds(15)
    var retryMillis = 3_000
    var interval: Duration = .milliseconds(250)
    var slowestInterval: Duration = .seconds(2)
    /// Bounds a stream whose client vanished without a write noticing (the longest PIPELINE_TIMEOUT allowed).
    var maximumDuration: Duration = .seconds(24 * 60 * 60)
    /// Events are gathered up to this many bytes before a write.
    var batchBytes = 64 * 1024

    func stream(from start: PipelineEventCursor, into writer: inout any ResponseBodyWriter) async throws {
        // A stream ends at shutdown instead of holding the server up (within one look's wait): its client
        // reconnects to another replica, or to this one once it is back, with its Last-Event-ID.
        let stopping = StreamStop()
        try await withGracefulShutdownHandler {
            try await run(from: start, into: &writer, stopping: stopping)
        } onGracefulShutdown: {
            stopping.stop()
        }
        if stopping.isStopped {
            logger.debug("event stream ended by shutdown", metadata: ["pipeline_id": "\(pipelineID)"])
        }
        try await writer.finish(nil)
    }

    private func run(from start: PipelineEventCursor, into writer: inout any ResponseBodyWriter, stopping: StreamStop) async throws {
        var cursor = start
        var readers: [Int: LogLineReader] = [:]
        var out = ByteBuffer()
        var lastWrite = ContinuousClock.now
        var wait = interval
        let deadline = ContinuousClock.now + maximumDuration

        try await writer.write(ServerSentEvents.retry(milliseconds: retryMillis))
        while ContinuousClock.now < deadline, cursor.pipeline != .ended, !stopping.isStopped {
            var wrote = false
            func emit(_ event: String, _ data: String) {
                wrote = true
                ServerSentEvents.write(id: cursor.id, event: event, data: data, into: &out)
            }
            // The pipeline is read before its steps and logs: if it had ended, all of them were written by then.
            guard let pipeline = try await pipelines.find(id: pipelineID) else { break }
            if cursor.pipeline == .none, pipeline.status == .pending {
                cursor.pipeline = .pending
                emit("pipeline", PipelineEventPayloads.json(PipelineEventPayloads.Pipeline(id: pipeline.id, status: "pending", error: nil)))
            }
            if cursor.pipeline < .running, pipeline.startedAt != nil {
                cursor.pipeline = .running
                emit("pipeline", PipelineEventPayloads.json(PipelineEventPayloads.Pipeline(id: pipeline.id, status: "running", error: nil)))
            }
            var behind = false
            var open = false
            for step in try await pipelines.steps(pipelineID: pipelineID) {
                let position = step.position
                guard cursor[position].phase != .closed else { continue }
                let ended = step.status != .pending && step.status != .running
                if cursor[position].phase == .none {
                    if step.status == .pending {
                        open = true
                        continue
                    }
                    if step.startedAt != nil || step.status == .running {
                        cursor[position].phase = .opened
                        emit("step", PipelineEventPayloads.opened(step))
                    }
                }
                if cursor[position].phase == .opened {
                    var reader = readers[position]
                        ?? LogLineReader(store: logs, pipelineID: pipelineID, step: step.name, from: cursor[position].offset)
                    let (lines, atEnd) = try await reader.next(final: ended)
                    readers[position] = reader
                    for line in lines {
                        cursor[position].offset = line.end
                        emit("log", PipelineEventPayloads.log(step: step.name, line: line.bytes))
                        if out.readableBytes >= batchBytes {
                            try await writer.write(out)
                            out.clear()
                            lastWrite = .now
                        }
                    }
                    if !atEnd {
                        behind = true
                        open = true
                        // An ended step is sent whole before any later step, as a whole log would show it.
                        if ended { break }
                        continue
                    }
                }
                if ended {
                    cursor[position].phase = .closed
                    readers[position] = nil
                    emit("step", PipelineEventPayloads.closed(step))
                } else {
                    open = true
                }
            }
            if !behind, !open, pipeline.status.isFinished {
                cursor.pipeline = .final
                emit("pipeline", PipelineEventPayloads.json(PipelineEventPayloads.Pipeline(
                    id: pipeline.id, status: pipeline.status.rawValue, error: pipeline.error)))
                cursor.pipeline = .ended
                emit("end", PipelineEventPayloads.json(PipelineEventPayloads.End(status: pipeline.status.rawValue)))
            }
            if out.readableBytes > 0 {
                try await writer.write(out)
                out.clear()
                lastWrite = .now
            }
            if behind || cursor.pipeline == .ended { continue }
            wait = wrote ? interval : min(wait * 2, slowestInterval)
            if ContinuousClock.now - lastWrite >= keepAlive {
                try await writer.write(ServerSentEvents.keepAlive)
                lastWrite = .now
            }
            try await Task.sleep(for: min(wait, keepAlive))
        }
    }
}

/// Set once the server begins its graceful shutdown; read by the stream between looks.
final class StreamStop: Sendable {
    private let stopped = Atomic<Bool>(false)

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    func stop() { stopped.store(true, ordering: .releasing) }
}
