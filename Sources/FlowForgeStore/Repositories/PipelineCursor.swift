import Foundation

/// An opaque pagination cursor: the (created_at, id) of the last pipeline of a page, base64url-encoded.
public struct PipelineCursor: Sendable {
    let createdAt: Int64
    let id: String

    init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]) else { return nil }
        self.init(createdAt: createdAt, id: String(parts[1]))
    }

    var encoded: String {
        Data("\(createdAt):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
