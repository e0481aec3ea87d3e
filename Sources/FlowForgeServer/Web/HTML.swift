import Hummingbird

/// A fragment of HTML. Interpolated `String`s and numbers are escaped; only another `HTML` goes in as is, so
/// user data (emails, branch names, log lines) can never become markup by forgetting to escape it.
struct HTML: Sendable, ExpressibleByStringInterpolation {
    let rendered: String

    init(raw: String) { rendered = raw }
    init(stringLiteral value: String) { rendered = value }
    init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }

    struct Interpolation: StringInterpolationProtocol {
        var output = ""
        init(literalCapacity: Int, interpolationCount: Int) { output.reserveCapacity(literalCapacity * 2) }
        mutating func appendLiteral(_ literal: String) { output += literal }
        mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }
        mutating func appendInterpolation(_ text: Substring) { output += HTML.escape(String(text)) }
        mutating func appendInterpolation<N: BinaryInteger>(_ number: N) { output += String(number) }
        mutating func appendInterpolation(_ fragment: HTML) { output += fragment.rendered }
        mutating func appendInterpolation(_ fragments: [HTML]) { for fragment in fragments { output += fragment.rendered } }
        mutating func appendInterpolation(_ fragment: HTML?) { if let fragment { output += fragment.rendered } }
    }

    /// Escapes the five characters that matter in text and in quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}

extension Array where Element == HTML {
    func joined() -> HTML { HTML(raw: map(\.rendered).joined()) }
}
