import Foundation

/// `application/x-www-form-urlencoded`, as Stripe takes its parameters: nested keys are written in bracket
/// notation by the caller (`line_items[0][price]`), and every key and value is percent-encoded here.
enum StripeForm {
    /// Only RFC 3986's unreserved characters stay as they are; brackets are encoded too, which Stripe reads.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
