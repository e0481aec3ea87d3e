import NIOCore

/// The `text/event-stream` wire format (the HTML standard's server-sent events), written by hand: an event
/// is `id:`, `event:` and `data:` lines and a blank line; a line starting with `:` is a comment.
enum ServerSentEvents {
    /// One event. `data` must hold no line break (JSON from `JSONText` or `JSONEncoder` holds none), so it
    /// fits one `data:` line; `id` must hold none either (cursor ids are letters, digits and dots).
    static func write(id: String, event: String, data: String, into buffer: inout ByteBuffer) {
        buffer.writeString("id: ")
        buffer.writeString(id)
        buffer.writeString("\nevent: ")
        buffer.writeString(event)
        buffer.writeString("\ndata: ")
        buffer.writeString(data)
        buffer.writeString("\n\n")
    }

    /// How long a client should wait before reconnecting after the stream broke.
    static func retry(milliseconds: Int) -> ByteBuffer {
        ByteBuffer(string: "retry: \(milliseconds)\n\n")
    }

    /// A comment, ignored by clients: keeps proxies and load balancers from closing an idle stream, and
    /// makes a write that shows whether the client is still there.
    static let keepAlive = ByteBuffer(string: ": keep-alive\n\n")
}

/// JSON string literals written by hand, for the one event sent per line of output (an encoder per line
/// would cost more than the line). Bytes that are not UTF-8 become U+FFFD, as in every text view of a log.
enum JSONText {
    static func quoted(_ bytes: [UInt8]) -> String {
        quoted(String(decoding: bytes, as: UTF8.self))
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            // Line and paragraph separators are valid JSON but end lines in some JavaScript parsers.
            case "\u{2028}": result += "\\u2028"
            case "\u{2029}": result += "\\u2029"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
