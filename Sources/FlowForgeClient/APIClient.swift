import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What went wrong talking to a FlowForge server, worded for the person at the terminal.
public enum APIClientError: Error, CustomStringConvertible, Sendable {
    /// The server answered with an error: its status, and the `{"error": {"code", "message"}}` it sent.
    case server(status: Int, code: String, message: String)
    /// No answer: the server could not be reached, or the connection broke.
    case unreachable(url: String, reason: String)
    /// An answer that is not what the API sends.
    case unexpected(String)

    public var description: String {
        switch self {
        case .server(let status, let code, let message): "the server answered \(status) \(code): \(message)"
        case .unreachable(let url, let reason): "cannot reach FlowForge at \(url) (\(reason)); check FLOWFORGE_URL and that the server runs"
        case .unexpected(let what): what
        }
    }
}

/// A client of FlowForge's v1 API, authenticated with an API key.
///
/// Contract: every call sends `Authorization: Bearer <apiKey>`; a 2xx answer's body comes back as JSON
/// (an object), any other status becomes `APIClientError.server` with the server's own code and message.
public struct APIClient: Sendable {
    public let baseURL: String
    let apiKey: String
    let httpClient: HTTPClient
    /// Ordinary calls are small; a whole log is fetched by `text`, which streams.
    static let maxJSONBytes = 8 << 20

    public init(baseURL: String, apiKey: String, httpClient: HTTPClient = .shared) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.apiKey = apiKey
        self.httpClient = httpClient
    }

    func request(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "User-Agent", value: "flowforge-cli")
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        return request
    }

    func execute(_ request: HTTPClientRequest, timeout: TimeAmount = .seconds(60)) async throws -> HTTPClientResponse {
        do {
            return try await httpClient.execute(request, timeout: timeout)
        } catch {
            throw APIClientError.unreachable(url: baseURL, reason: "\(error)")
        }
    }

    /// Sends one call and returns the answer's JSON object.
    public func call(_ method: HTTPMethod, _ path: String, json: [String: Any]? = nil) async throws -> [String: Any] {
        let response = try await execute(try request(method, path, json: json))
        let body = try await response.body.collect(upTo: Self.maxJSONBytes)
        try Self.check(response.status, body: body)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any] else {
            throw APIClientError.unexpected("the server's answer to \(method) \(path) is not a JSON object")
        }
        return object
    }

    /// Sends a GET and hands each chunk of a text answer to `chunk` as it arrives.
    public func text(_ path: String, chunk: (ByteBuffer) async throws -> Void) async throws {
        let response = try await execute(try request(.GET, path), timeout: .hours(24))
        guard (200..<300).contains(response.status.code) else {
            try Self.check(response.status, body: try await response.body.collect(upTo: Self.maxJSONBytes))
            return
        }
        for try await part in response.body { try await chunk(part) }
    }

    /// Throws the server's error for a status that is not 2xx.
    static func check(_ status: HTTPResponseStatus, body: ByteBuffer) throws {
        guard !(200..<300).contains(status.code) else { return }
        let error = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["error"] as? [String: Any]
        throw APIClientError.server(
            status: Int(status.code), code: error?["code"] as? String ?? "error",
            message: error?["message"] as? String ?? String(buffer: body).prefix(300).description)
    }
}
