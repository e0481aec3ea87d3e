import FlowForgeRunner
import FlowForgeStore
import Foundation
import HTTPTypes
import Hummingbird

/// `?tail=N` and `?timestamps=true` of the text logs.
struct LogTextOptions: Sendable {
    /// The last this many lines of each step's output; nil for all of it.
    var tail: Int?
    /// Each line of output starts with the time it arrived (ISO 8601, UTC, milliseconds) and a space.
    var timestamps = false

    var isSet: Bool { tail != nil || timestamps }

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        if let text = query["tail"].map(String.init), !text.isEmpty {
            guard let value = Int(text), (0...1_000_000).contains(value) else {
                throw APIError.validation("tail", "must be a number of lines from 0 to 1000000, got \"\(text.prefix(40))\"")
            }
            tail = value
        }
        if let text = query["timestamps"].map(String.init), !text.isEmpty {
            switch text.lowercased() {
            case "true", "1": timestamps = true
            case "false", "0": timestamps = false
            default: throw APIError.validation("timestamps", "must be true or false, got \"\(text.prefix(40))\"")
            }
        }
        if isSet, let follow = query["follow"].map(String.init), ["true", "1"].contains(follow) {
            throw APIError.validation("follow", "cannot be combined with tail or timestamps; follow the events instead (GET /api/v1/pipelines/:id/events)")
        }
    }
}

extension PipelineController {
    /// `GET /api/v1/pipelines/:id/steps/:name/logs`: one step's output as text, nothing around it.
    @Sendable func stepLogs(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pipeline = try await find(context)
        let raw = try context.parameters.require("name")
        let name = raw.removingPercentEncoding ?? raw
        guard let step = try await pipelines.steps(pipelineID: pipeline.id).first(where: { $0.name == name }) else {
            throw APIError.notFound("step \"\(name)\" of pipeline \(pipeline.id)")
        }
        let options = try LogTextOptions(request)
        let logs = self.logs
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody { writer in
                try await Self.writeOutput(of: step, pipelineID: pipeline.id, logs: logs, options, into: &writer)
                try await writer.finish(nil)
            })
    }

    /// The whole log (as `GET …/logs` writes it) with each step's output cut to its tail or stamped.
    func textLog(of pipeline: PipelineRecord, _ options: LogTextOptions) async throws -> Response {
        let steps = try await pipelines.steps(pipelineID: pipeline.id)
        let logs = self.logs
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody { writer in
                for step in steps {
                    try await writer.write(ByteBuffer(string: PipelineLogText.stepLine(step)))
                    try await Self.writeOutput(of: step, pipelineID: pipeline.id, logs: logs, options, into: &writer)
                }
                if let line = PipelineLogText.expiredLine(pipeline) { try await writer.write(ByteBuffer(string: line)) }
                if let line = PipelineLogText.endLine(pipeline) { try await writer.write(ByteBuffer(string: line)) }
                try await writer.finish(nil)
            })
    }

    /// A step's output from its tail on (or whole), streamed in bounded pieces, ending with a newline.
    static func writeOutput(
        of step: StepRecord, pipelineID: String, logs: any LogStore, _ options: LogTextOptions,
        into writer: inout any ResponseBodyWriter
    ) async throws {
        var offset = 0
        if let tail = options.tail { offset = try await logs.tailOffset(pipelineID: pipelineID, step: step.name, lines: tail) }
        guard options.timestamps else {
            var last: UInt8?
            try await logs.forEachChunk(pipelineID: pipelineID, step: step.name, from: offset) { chunk in
                last = chunk.last
                try await writer.write(ByteBuffer(bytes: chunk))
            }
            if let last, last != UInt8(ascii: "\n") { try await writer.write(ByteBuffer(string: "\n")) }
            return
        }
        // Lines without a time mark (a log kept before marks were, or a mark not yet written) get the time
        // of the line before, or the step's start.
        var millis = step.startedAt
        var reader = LogLineReader(store: logs, pipelineID: pipelineID, step: step.name, from: offset)
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        while true {
            // A running step's last line may still grow: it is written as it stands.
            let (lines, atEnd) = try await reader.next(final: true)
            var out = ByteBuffer()
            for line in lines {
                millis = line.millis ?? millis
                if let millis { out.writeString(Clock.date(millis: millis).formatted(style) + " ") }
                out.writeBytes(line.bytes)
                out.writeString("\n")
            }
            if out.readableBytes > 0 { try await writer.write(out) }
            if atEnd { break }
        }
    }
}
