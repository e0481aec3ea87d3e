import Foundation
import Hummingbird

/// An error a client is meant to read: rendered as `{"error": {"code", "message"}}` with `status`.
/// `message` says what was wrong and what to do; it never carries SQL, stack traces or secrets.
public struct APIError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = ErrorBody(error: .init(code: code, message: message))
        let encoder = JSONEncoder()
        // Stable key order: two errors with the same code and message are byte-for-byte equal.
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
        }
        let error: Detail
    }
}

extension APIError {
    static func validation(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message: "\(field): \(message)")
    }
    static func notFound(_ what: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "\(what) was not found")
    }
    static let unauthorized = APIError(
        .unauthorized, code: "unauthorized",
        message: "missing or invalid credentials: send `Authorization: Bearer <token>`"
    )
}
