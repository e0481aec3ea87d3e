import Foundation

/// One webhook delivery as it arrived: headers and the raw body, byte for byte.
///
/// The body stays raw because signatures are computed over the exact bytes the forge sent;
/// re-encoding JSON before verifying would break them.
public struct WebhookRequest: Sendable {
    /// Header names lower-cased (HTTP names are case-insensitive; the initialiser normalises them).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(headers: [String: String], body: [UInt8]) {
        var lowered: [String: String] = [:]
        for (name, value) in headers {
            lowered[name.lowercased()] = value
        }
        self.headers = lowered
        self.body = body
    }

    /// The value of a header, looked up case-insensitively; nil when absent or empty.
    public func header(_ name: String) -> String? {
        guard let value = headers[name.lowercased()]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        return value
    }
}
