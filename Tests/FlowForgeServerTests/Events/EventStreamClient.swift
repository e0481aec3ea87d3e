import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

/// One server-sent event as a client sees it.
struct ReceivedEvent: Equatable, CustomStringConvertible {
    var id: String?
    var event: String
    var data: String

    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]) ?? [:]
    }

    var description: String { "\(event) \(data) [\(id ?? "-")]" }
}

/// A hand-written `text/event-stream` reader over AsyncHTTPClient, as a browser's EventSource parses it:
/// `field: value` lines, a blank line ends an event, `:` lines are comments.
struct EventStreamClient {
    let response: HTTPClientResponse
    private var body: HTTPClientResponse.Body.AsyncIterator
    private var buffer: [UInt8] = []
    private var pending = ReceivedEvent(id: nil, event: "message", data: "")
    private var hasData = false
    private(set) var comments = 0
    private(set) var retry: Int?
    private(set) var closed = false

    /// Opens `path` on the live server at `port` with the API key and optional Last-Event-ID.
    static func open(port: Int, _ path: String, key: String, lastEventID: String? = nil, accept: String = "text/event-stream") async throws -> EventStreamClient {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        request.headers.add(name: "Accept", value: accept)
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        return EventStreamClient(response: response, body: response.body.makeAsyncIterator())
    }

    /// The next event (or, with `orComment`, a `:` comment as an event named ":"), or nil once the server
    /// closed the stream.
    mutating func next(orComment: Bool = false) async throws -> ReceivedEvent? {
        while true {
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                if line.isEmpty {
                    defer { pending = ReceivedEvent(id: pending.id, event: "message", data: ""); hasData = false }
                    if hasData { return pending }
                    continue
                }
                if line.hasPrefix(":") {
                    comments += 1
                    if orComment { return ReceivedEvent(id: nil, event: ":", data: "") }
                    continue
                }
                let field = line.prefix { $0 != ":" }
                var value = line.dropFirst(field.count).dropFirst()
                if value.hasPrefix(" ") { value = value.dropFirst() }
                switch field {
                case "id": pending.id = String(value)
                case "event": pending.event = String(value)
                case "data":
                    pending.data += hasData ? "\n" + value : String(value)
                    hasData = true
                case "retry": retry = Int(value)
                default: break
                }
            }
            guard let chunk = try await body.next() else {
                closed = true
                return nil
            }
            buffer += Array(buffer: chunk)
        }
    }

    /// Every event up to the end of the stream.
    mutating func rest() async throws -> [ReceivedEvent] {
        var events: [ReceivedEvent] = []
        while let event = try await next() { events.append(event) }
        return events
    }
}

extension [ReceivedEvent] {
    /// The `log` lines of `step`, in order.
    func lines(of step: String) -> [String] {
        filter { $0.event == "log" && $0.object["step"] as? String == step }.compactMap { $0.object["line"] as? String }
    }
}
