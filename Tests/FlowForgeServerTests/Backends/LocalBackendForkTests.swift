import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// The local backend runs steps on the host, able to read the data directory: a fork's pull request is
/// never run there.
@Suite("local backend and forks")
struct LocalBackendForkTests {
    @Test func aForkPullRequestEndsInErrorWithoutRunningAStep() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("ff-fork-ran-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: marker) }
        let repository = try server.makeRepository("octo/forked.git")
        try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo base]\n"])
        let head = try repository.commit(
            ["flowforge.yml": "steps:\n  - name: build\n    commands: [\"touch \(marker.path)\"]\n"], branch: "fork-topic")
        try GitCommandLine.run(["update-ref", "refs/pull/5/head", head], in: repository.bareDirectory)

        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "github", fullName: "octo/forked", token: "reader")
        var environment = pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL))
        environment["FLOWFORGE_BACKEND"] = "local"
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "github", fullName: "octo/forked", accessToken: "reader")
            let secret = try #require(connected["webhook_secret"] as? String)
            let (event, body) = ForkPullRequestTests.forkPullRequest(provider: "github", head: head, forkURL: "http://127.0.0.1:1/forker/forked.git")
            let answer = try await client.deliver(SignedDelivery(provider: "github", event: event, body: Array(body.utf8)), secret: secret)
            let id = try #require(try json(answer)["pipeline_id"] as? String, "\(text(answer))")
            let pipeline = try await client.awaitPipeline(id, key: key)

            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            #expect((pipeline["error"] as? String)?.contains("never run pull requests from forks") == true, "\(pipeline)")
            #expect(!FileManager.default.fileExists(atPath: marker.path), "the fork's step ran on the host")
        }
    }
}
