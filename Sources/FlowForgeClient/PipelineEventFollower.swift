import AsyncHTTPClient
import Foundation
import NIOCore

/// Follows a pipeline's event stream (`GET /api/v1/pipelines/:id/events`) to its `end` event, reconnecting
/// with `Last-Event-ID` when the connection breaks, so the caller sees every event once and in order.
///
/// Contract: `follow` hands each event to `handle` in the stream's order, never twice and without a gap
/// across reconnects (the server resumes after `Last-Event-ID`), and returns the `end` event's status. It
/// gives up with the last error after `maxAttempts` connections in a row that brought no event; an error
/// answer of the server (404, 401) is thrown at once, since trying again cannot change it.
public struct PipelineEventFollower: Sendable {
    public let client: APIClient
    public var maxAttempts = 10
    /// Used until the server advises another delay with `retry:`.
    public var defaultRetry: Duration = .seconds(1)

    public init(client: APIClient) {
        self.client = client
    }

    public func follow(_ pipelineID: String, handle: (ServerSentEvent) async throws -> Void) async throws -> String {
        var lastEventID: String?
        var retry = defaultRetry
        var failures = 0
        while true {
            var request = try client.request(.GET, "/api/v1/pipelines/\(pipelineID)/events")
            request.headers.add(name: "Accept", value: "text/event-stream")
            if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
            var parser = ServerSentEventParser()
            do {
                let response = try await client.execute(request, timeout: .hours(24))
                guard (200..<300).contains(response.status.code) else {
                    try APIClient.check(response.status, body: try await response.body.collect(upTo: APIClient.maxJSONBytes))
                    throw APIClientError.unexpected("the server answered \(response.status.code) to the event stream")
                }
                for try await chunk in response.body {
                    for event in try parser.feed(chunk.readableBytesView) {
                        failures = 0
                        lastEventID = event.id ?? lastEventID
                        try await handle(event)
                        if event.event == "end" {
                            let end = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any]
                            return end?["status"] as? String ?? "unknown"
                        }
                    }
                }
                // The stream ended before `end` (a server going away): try again, as after a broken connection.
                failures += 1
                if failures >= maxAttempts {
                    throw APIClientError.unreachable(url: client.baseURL, reason: "the event stream kept ending before the pipeline did")
                }
            } catch let error as APIClientError {
                if case .server = error { throw error }
                failures += 1
                if failures >= maxAttempts { throw error }
            } catch let error as ServerSentEventParser.LineTooLong {
                throw error
            } catch {
                // The connection broke mid-stream: resume after the last event that arrived.
                failures += 1
                if failures >= maxAttempts { throw APIClientError.unreachable(url: client.baseURL, reason: "\(error)") }
            }
            if let advised = parser.retryMilliseconds { retry = .milliseconds(advised) }
            try await Task.sleep(for: retry)
        }
    }
}
