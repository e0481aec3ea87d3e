import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Without `API_BASE_URL`, absolute links point where `serve` really listens.
@Suite("links follow the listening address", .serialized)
struct ListeningURLTests {
    @Test func addressesBecomeBaseURLs() throws {
        #expect(ServerAddress(hostname: "127.0.0.1", port: 9000).baseURL == "http://127.0.0.1:9000")
        #expect(ServerAddress(hostname: "0.0.0.0", port: 80).baseURL == "http://127.0.0.1:80")
        #expect(ServerAddress(hostname: "::", port: 81).baseURL == "http://[::1]:81")
        #expect(ServerAddress(hostname: "::1", port: 82).baseURL == "http://[::1]:82")
        #expect(ServerAddress(hostname: "ci.local", port: 83).baseURL == "http://ci.local:83")
    }

    @Test func explicitSettingsWin() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-links-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let address = ServerAddress(hostname: "0.0.0.0", port: 9123)
        let derived = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path]).listening(on: address)
        #expect(derived.apiBaseURL == "http://127.0.0.1:9123")
        #expect(derived.frontendURL == "http://127.0.0.1:9123")
        let followsAPI = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "API_BASE_URL": "https://ci.example.com/"])
            .listening(on: address)
        #expect(followsAPI.apiBaseURL == "https://ci.example.com")
        #expect(followsAPI.frontendURL == "https://ci.example.com")
        let both = try AppConfiguration.fromEnvironment([
            "FLOWFORGE_DATA_DIR": directory.path, "API_BASE_URL": "https://ci.example.com", "FRONTEND_URL": "https://app.example.com",
        ]).listening(on: address)
        #expect(both.frontendURL == "https://app.example.com")
    }

    /// Through the real server: the repository connect answer's `webhook_url` names the port given to serve.
    @Test(arguments: ["127.0.0.1", "0.0.0.0"])
    func webhookURLNamesThePortServeListensOn(hostname: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-links-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = ServerProcess.freePort()
        let server = try ServerProcess(["serve", "--hostname", hostname, "--port", "\(port)"], environment: [
            "FLOWFORGE_DATA_DIR": directory.path, "BCRYPT_ROUNDS": "4", "FLOWFORGE_ALLOW_LOCAL_REPOS": "true",
        ])
        let up = await server.waitUntilListening(port: port)
        try #require(up, "serve did not start:\n\(server.output)")
        let client = ServerProcessClient(port: port)
        let session = try await client.object(.POST, "/api/auth/register", json: ["email": "links@example.com", "password": "correct horse"])
        let access = try #require(session["access_token"] as? String)
        let created = try await client.object(.POST, "/api/user/repositories", token: access, json: [
            "provider": "git", "full_name": "team/app", "clone_url": "http://127.0.0.1:9/team/app.git",
        ])
        #expect(created["webhook_url"] as? String == "http://127.0.0.1:\(port)/api/webhooks/git", "\(created)")
        server.signal(SIGTERM)
        #expect(await server.waitForExit(timeout: .seconds(60)) == 0, "\(server.output)")
    }
}
