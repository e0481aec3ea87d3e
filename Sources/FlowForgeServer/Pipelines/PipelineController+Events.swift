import FlowForgeStore
import Foundation
import HTTPTypes
import Hummingbird

extension PipelineController {
    /// `GET /api/v1/pipelines/:id/events` (and `…/logs` with `Accept: text/event-stream`): the pipeline's
    /// events as server-sent events until its `end`. With `Last-Event-ID` it resumes right after that event.
    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pipeline = try await find(context)
        var cursor = PipelineEventCursor()
        if let last = request.headers[HTTPField.Name("Last-Event-ID")!], !last.isEmpty {
            guard let resumed = PipelineEventCursor(id: last) else {
                throw APIError(.badRequest, code: "invalid_last_event_id", message:
                    "Last-Event-ID \"\(last.prefix(100))\" is not an id of this pipeline's event stream; reconnect without it to start from the beginning")
            }
            cursor = resumed
        }
        var logger = context.logger
        logger[metadataKey: "pipeline_id"] = "\(pipeline.id)"
        let stream = PipelineEventStream(
            pipelineID: pipeline.id, pipelines: pipelines, logs: logs, logger: logger, keepAlive: eventKeepAlive)
        return Response(
            status: .ok,
            // No proxy (nginx honours X-Accel-Buffering) or cache may hold events back.
            headers: [
                .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: ResponseBody { [cursor] writer in try await stream.stream(from: cursor, into: &writer) })
    }

    static func wantsEvents(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("text/event-stream") }
    }
}
