import FlowForgeTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import FlowForgeForges
@testable import FlowForgeServer

/// The published webhook payloads kept beside the repository (`<repo>/../shared/fixtures/webhooks`),
/// or under `FLOWFORGE_FIXTURES` when the repository is checked out elsewhere.
enum WebhookFixtures {
    static let directory: URL = {
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let beside = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/webhooks")
        if !FileManager.default.fileExists(atPath: beside.path), let configured = ProcessInfo.processInfo.environment["FLOWFORGE_FIXTURES"] {
            let url = URL(fileURLWithPath: configured)
            let nested = url.appendingPathComponent("webhooks")
            return FileManager.default.fileExists(atPath: nested.path) ? nested : url
        }
        return beside
    }()

    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }
}

/// One delivery as a forge sends it: event header, delivery id and signature (or GitLab's token).
struct SignedDelivery: Sendable {
    var provider: String
    var event: String
    var body: [UInt8]
    var deliveryID: String = UUID().uuidString

    func headers(secret: String) -> HTTPFields {
        let signature = WebhookSignature.sha256Header(body: body, secret: secret)
        let pairs: [(String, String)]
        switch provider {
        case "github": pairs = [("X-GitHub-Event", event), ("X-GitHub-Delivery", deliveryID), ("X-Hub-Signature-256", signature)]
        case "gitlab": pairs = [("X-Gitlab-Event", event), ("X-Gitlab-Event-UUID", deliveryID), ("X-Gitlab-Token", secret)]
        case "bitbucket": pairs = [("X-Event-Key", event), ("X-Request-UUID", deliveryID), ("X-Hub-Signature", signature)]
        default: pairs = [("X-FlowForge-Event", event), ("X-FlowForge-Delivery", deliveryID), ("X-FlowForge-Signature", signature)]
        }
        var fields: HTTPFields = [.contentType: "application/json"]
        for (name, value) in pairs { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    /// The same delivery with one byte of the body changed (the signature stays the original's): a digit
    /// near the middle moves by one, which keeps the JSON valid, so only the signature can catch it.
    func tampered(secret: String) -> (body: [UInt8], headers: HTTPFields) {
        var changed = body
        let digits = changed.indices.filter { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(changed[$0]) }
        let index = digits[digits.count / 2]
        changed[index] = changed[index] == UInt8(ascii: "9") ? UInt8(ascii: "8") : changed[index] + 1
        return (changed, headers(secret: secret))
    }
}

extension TestClientProtocol {
    /// Connects a repository for the account behind `access` and returns the created JSON. Forge
    /// repositories need an `accessToken` the forge (a `FakeForge`, see `grantRead`) confirms.
    func connectRepository(access: String, provider: String, fullName: String, cloneURL: String? = nil, accessToken: String? = nil) async throws -> [String: Any] {
        var body: [String: Any] = ["provider": provider, "full_name": fullName]
        if let cloneURL { body["clone_url"] = cloneURL }
        if let accessToken { body["access_token"] = accessToken }
        let response = try await send(.post, "/api/user/repositories", token: access, json: body)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try json(response)
    }

    func deliver(_ delivery: SignedDelivery, secret: String) async throws -> TestResponse {
        try await execute(
            uri: "/api/webhooks/\(delivery.provider)", method: .post, headers: delivery.headers(secret: secret),
            body: ByteBuffer(bytes: delivery.body)
        )
    }

    /// The account's pipelines (newest first) as JSON objects.
    func pipelines(key: String) async throws -> [[String: Any]] {
        let response = try await send(.get, "/api/v1/pipelines?limit=100", token: key)
        #expect(response.status == .ok)
        return try #require(try json(response)["pipelines"] as? [[String: Any]])
    }
}

/// A clone URL on this machine that holds nothing, so pipelines queued by tests that do not run them
/// fail at once and never reach the network.
func unreachableCloneURL() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-missing-\(UUID().uuidString).git").absoluteString
}

/// A JSON body of a response, as text.
func text(_ response: TestResponse) -> String { String(buffer: response.body) }

/// Like `withTestApp`, but the application listens on a real port of 127.0.0.1 (given to `body`), for
/// callers outside the test process such as a git hook, or clients that read an answer as it streams.
func withLiveTestApp(
    environment extra: [String: String] = [:],
    _ body: @Sendable (any TestClientProtocol, Int, AppConfiguration) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let database = try await TestDatabase.make(in: directory)
    defer { try? FileManager.default.removeItem(at: directory) }
    var environment = baseTestEnvironment(directory: directory, databaseURL: database.url)
    environment.merge(extra) { _, new in new }
    let configuration = try AppConfiguration.fromEnvironment(environment)
    let app = try await buildApplication(configuration: configuration, address: ServerAddress(hostname: "127.0.0.1", port: 0))
    do {
        try await app.test(.live) { client in
            try await body(client, try #require(client.port, "the live test server has no port"), configuration)
        }
    } catch {
        await database.drop()
        throw error
    }
    await database.drop()
}

/// Points every forge API at `forge` and, with `gitBase`, every forge host (where repositories are cloned
/// from) at a test git server.
func forgeEnvironment(_ forge: FakeForge, gitBase: String? = nil) -> [String: String] {
    var environment = ["GITHUB_API_URL": forge.baseURL, "GITLAB_API_URL": forge.baseURL, "BITBUCKET_API_URL": forge.baseURL]
    if let gitBase {
        environment.merge(["GITHUB_URL": gitBase, "GITLAB_URL": gitBase, "BITBUCKET_URL": gitBase]) { _, new in new }
    }
    return environment
}

extension FakeForge {
    /// Lets `token` (as `Authorization: Bearer`) pass FlowForge's access check for `fullName` on `provider`.
    func grantRead(provider: String, fullName: String, token: String) async {
        // FlowForge asks about the lower-cased name, each segment encoded as RFC 3986 "unreserved".
        let fullName = fullName.lowercased()
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789-._~")
        let path: String
        switch provider {
        case "gitlab": path = "/api/v4/projects/" + (fullName.addingPercentEncoding(withAllowedCharacters: unreserved) ?? fullName)
        case "bitbucket": path = "/2.0/repositories/\(fullName)"
        default: path = "/repos/\(fullName)"
        }
        await grantRead(path: path, authorization: "Bearer \(token)")
    }
}
