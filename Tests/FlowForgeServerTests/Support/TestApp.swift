import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import FlowForgeServer

/// Builds the real application (`buildApplication`) on a fresh data directory and database, runs `body`
/// against it, and removes both afterwards.
func withTestApp(
    environment extra: [String: String] = [:],
    before prepare: @Sendable (AppConfiguration) async throws -> Void = { _ in },
    _ body: @Sendable (any TestClientProtocol, AppConfiguration) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let database = try await TestDatabase.make(in: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    var environment = baseTestEnvironment(directory: directory, databaseURL: database.url)
    environment.merge(extra) { _, new in new }
    let configuration = try AppConfiguration.fromEnvironment(environment)
    try await prepare(configuration)
    let app = try await buildApplication(configuration: configuration)
    do {
        try await app.test(.router) { client in try await body(client, configuration) }
    } catch {
        await database.drop()
        throw error
    }
    await database.drop()
}

/// What every test application runs with: its own data directory and database, cheap bcrypt, quiet logs.
func baseTestEnvironment(directory: URL, databaseURL: String) -> [String: String] {
    [
        "FLOWFORGE_DATA_DIR": directory.path,
        "DATABASE_URL": databaseURL,
        "BCRYPT_ROUNDS": "4",
        "LOG_LEVEL": "warning",
        // Many apps run at once in one test process; keep each one's PostgreSQL pool small.
        "FLOWFORGE_DB_POOL_SIZE": "2",
        // Tests poll pipelines; only the rate-limit test wants a small limit.
        "RATE_LIMIT_MAX_REQUESTS": "1000000",
        // Tests never reach beyond this machine: no DNS look-ups of forge hosts when repositories are
        // connected (the URL policy's own tests turn this off), and forge APIs point at a closed local port
        // unless a test points them at its fake forge.
        "FLOWFORGE_ALLOW_LOCAL_REPOS": "true",
        "GITHUB_API_URL": "http://127.0.0.1:9", "GITLAB_URL": "http://127.0.0.1:9", "BITBUCKET_API_URL": "http://127.0.0.1:9",
        "GITHUB_URL": "http://127.0.0.1:9", "BITBUCKET_URL": "http://127.0.0.1:9",
    ]
}

/// A decoded JSON object from a response body.
func json(_ response: TestResponse) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    return try #require(value as? [String: Any], "expected a JSON object, got \(String(buffer: response.body))")
}

/// The `error.code` of an error response, checking the shape `{"error": {"code", "message"}}` on the way.
func errorCode(_ response: TestResponse) throws -> String {
    let object = try json(response)
    let error = try #require(object["error"] as? [String: Any], "no error object in \(object)")
    let message = try #require(error["message"] as? String)
    #expect(!message.isEmpty)
    return try #require(error["code"] as? String)
}

extension TestClientProtocol {
    /// Sends JSON (`body` serialised) with an optional bearer token.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json body: Any? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: body))
        }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer)
    }

    /// Registers an account and returns (access token, refresh token, user id).
    func register(email: String = "dev-\(UUID().uuidString.prefix(8))@example.com", password: String = "correct horse", plan: String? = nil) async throws -> (access: String, refresh: String, userID: String) {
        var body: [String: Any] = ["email": email, "password": password]
        if let plan { body["plan"] = plan }
        let response = try await send(.post, "/api/auth/register", json: body)
        #expect(response.status == .created)
        let object = try json(response)
        let user = try #require(object["user"] as? [String: Any])
        return (try #require(object["access_token"] as? String), try #require(object["refresh_token"] as? String), try #require(user["id"] as? String))
    }

    /// Creates an API key for the account behind `access` and returns the key.
    func createAPIKey(access: String, name: String = "ci") async throws -> String {
        let response = try await send(.post, "/api/user/api-keys", token: access, json: ["name": name])
        #expect(response.status == .created)
        return try #require(try json(response)["key"] as? String)
    }
}
