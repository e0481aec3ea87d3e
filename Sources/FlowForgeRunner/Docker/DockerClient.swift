import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// A thin client for the Docker Engine API: builds requests, turns error statuses into `DockerError`.
/// The endpoint-specific calls live in the `DockerClient+*.swift` extensions.
struct DockerClient: Sendable {
    let host: DockerHost
    let http: HTTPClient
    let logger: Logger

    /// Short calls (create, start, inspect, remove) get this long; the daemon answers them in well under a second.
    static let callTimeout: TimeAmount = .seconds(60)
    /// Answers of short calls are small JSON documents; anything larger is a sign of a wrong endpoint.
    static let maxBodyBytes = 4 * 1024 * 1024

    struct Response {
        var status: HTTPResponseStatus
        var body: ByteBuffer
    }

    func request(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: (some Encodable)? = nil as Never?
    ) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: host.baseURL + path + Self.queryString(query))
        request.method = method
        // Over a unix socket AsyncHTTPClient sends no Host header, and Go's HTTP server rejects HTTP/1.1
        // requests without one; Docker ignores its value.
        request.headers.replaceOrAdd(name: "Host", value: "localhost")
        if let json {
            let data = try JSONEncoder().encode(json)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        return request
    }

    /// Sends a short call and collects its answer; a status of 400 or more becomes `DockerError.daemon`
    /// unless listed in `accepting`.
    func send(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [], json: (some Encodable)? = nil as Never?,
        accepting: Set<UInt> = []
    ) async throws -> Response {
        let request = try request(method, path, query: query, json: json)
        let response = try await http.execute(request, timeout: Self.callTimeout, logger: logger)
        let body = try await response.body.collect(upTo: Self.maxBodyBytes)
        if response.status.code >= 400, !accepting.contains(response.status.code) {
            throw DockerError.daemon(status: Int(response.status.code), message: Self.message(in: body))
        }
        return Response(status: response.status, body: body)
    }

    /// Decodes a JSON answer.
    func decode<T: Decodable>(_ type: T.Type, from response: Response) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body.readableBytesView))
        } catch {
            throw DockerError.unexpectedResponse("\(T.self): \(error)")
        }
    }

    /// Docker explains errors as `{"message": "..."}`; falls back to the raw text.
    static func message(in body: ByteBuffer) -> String {
        struct Explanation: Decodable { var message: String }
        let data = Data(body.readableBytesView)
        if let explanation = try? JSONDecoder().decode(Explanation.self, from: data) {
            return explanation.message
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?/:;,")
        return "?" + query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }
}
