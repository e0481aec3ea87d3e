import AsyncHTTPClient
import FlowForgeTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Talks JSON to a `flowforge serve` child process on 127.0.0.1.
struct ServerProcessClient: Sendable {
    let port: Int

    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json body: [String: Any]? = nil) async throws -> (status: Int, body: String) {
        try await send(method, path, token: token, raw: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    /// Sends `raw` as a JSON body with extra `headers`.
    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, headers: [(String, String)] = [], raw: Data?) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let raw {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: raw))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return (Int(response.status.code), String(buffer: bytes))
    }

    func object(_ method: HTTPMethod, _ path: String, token: String? = nil, json body: [String: Any]? = nil) async throws -> [String: Any] {
        let answer = try await send(method, path, token: token, json: body)
        return try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any], "\(answer)")
    }

    /// Registers an account and returns an API key for it.
    func apiKey() async throws -> String { try await account().key }

    /// Registers an account and returns its access token and an API key.
    func account() async throws -> (access: String, key: String) {
        let session = try await object(.POST, "/api/auth/register", json: ["email": "p-\(UUID().uuidString.prefix(8))@example.com", "password": "correct horse"])
        let access = try #require(session["access_token"] as? String)
        return (access, try #require(try await object(.POST, "/api/user/api-keys", token: access, json: ["name": "t"])["key"] as? String))
    }

    func pipeline(_ id: String, key: String) async throws -> [String: Any] {
        try await object(.GET, "/api/v1/pipelines/\(id)", token: key)
    }

    /// Polls until `condition` holds (bounded); returns the pipeline JSON.
    func awaitPipeline(_ id: String, key: String, _ what: String, timeout: Duration = .seconds(90), until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let pipeline = try? await pipeline(id, key: key), condition(pipeline) { return pipeline }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("pipeline \(id) did not come \(what) within \(timeout)")
        throw CancellationError()
    }
}
