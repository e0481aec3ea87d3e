/// One event of a `text/event-stream`.
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String
    public var data: String

    public init(id: String?, event: String, data: String) {
        self.id = id
        self.event = event
        self.data = data
    }
}

/// Splits a `text/event-stream` into events as its bytes arrive, by the HTML standard's rules: lines end in
/// LF, CRLF or CR; `field: value` (one space after the colon dropped); `data` lines of one event joined by
/// LF; a line starting with `:` is a comment; a blank line ends the event; an event with no data is not
/// dispatched; `retry` sets the reconnection delay.
///
/// Contract: feeding a stream in any split gives the same events in the same order; a partial line is
/// held until its end arrives, and a held line longer than `maxLineBytes` is an error (a stream that never
/// ends a line must not grow the client's memory without bound).
public struct ServerSentEventParser: Sendable {
    public struct LineTooLong: Error, CustomStringConvertible {
        public var description: String { "the event stream sent a line longer than the client accepts" }
    }

    /// The last `id:` seen, kept across events as the standard says: what `Last-Event-ID` sends.
    public private(set) var lastEventID: String?
    /// The delay the server advised with `retry:`, in milliseconds.
    public private(set) var retryMilliseconds: Int?
    public let maxLineBytes: Int

    private var line: [UInt8] = []
    private var afterCR = false
    private var eventType = ""
    private var data: [String] = []
    private var hasData = false

    public init(maxLineBytes: Int = 8 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                if let event = endLine() { events.append(event) }
            case UInt8(ascii: "\r"):
                afterCR = true
                if let event = endLine() { events.append(event) }
            default:
                guard line.count < maxLineBytes else { throw LineTooLong() }
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring, value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            var rest = text[text.index(after: colon)...]
            if rest.first == " " { rest = rest.dropFirst() }
            value = rest
        } else {
            field = Substring(text)
            value = ""
        }
        switch field {
        case "event": eventType = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        case "id" where !value.contains("\0"): lastEventID = String(value)
        case "retry": if let milliseconds = Int(value), milliseconds >= 0 { retryMilliseconds = milliseconds }
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventType = ""
            data = []
            hasData = false
        }
        guard hasData else { return nil }
        return ServerSentEvent(id: lastEventID, event: eventType.isEmpty ? "message" : eventType, data: data.joined(separator: "\n"))
    }
}
