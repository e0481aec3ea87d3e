import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// What a pipeline's fetch may reach, and for how long: no redirects off the checked host, a deadline that
/// frees the slot and the mirror's lock, and addresses checked again when the connection is made.
@Suite("git fetch guard")
struct GitFetchGuardTests {
    @Test func redirectToAnotherPortIsNotFollowed() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("target.git")
        try repository.commit(["README": "reached through a redirect"])
        // Every path redirected to the real git server on its own port.
        let redirector = try ScriptedTestServer.http(status: 302, body: "", location: server.baseURL)
        defer { redirector.stop() }
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, [
                "repo_url": "http://127.0.0.1:\(redirector.port)/target.git", "commands": ["cat README"],
            ])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error", "the redirect was followed: \(pipeline)")
            #expect(pipeline["commit_sha"] as? String == nil, "\(pipeline)")
            #expect((pipeline["error"] as? String)?.contains("redirected to 127.0.0.1:\(server.port)") == true, "\(pipeline)")
            #expect(redirector.count() > 0)
        }
    }

    @Test func stalledServerTimesOutAndTheNextPipelineWorks() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("slow.git")
        let sha = try repository.commit(["README": "hello"])
        // The first connection is accepted and never answered; later ones reach the git server.
        let staller = try ScriptedTestServer.stalling(first: 1, thenRelayTo: server.port)
        defer { staller.stop() }
        let url = "http://127.0.0.1:\(staller.port)/slow.git"
        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_CHECKOUT_TIMEOUT": "2"])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let started = ContinuousClock.now
            let first = try await client.createPipeline(key: key, ["repo_url": url, "commands": ["true"]])
            let stalled = try await client.awaitPipeline(first, key: key, timeout: .seconds(30))
            #expect(ContinuousClock.now - started < .seconds(20))
            #expect(stalled["status"] as? String == "error", "\(stalled)")
            let error = try #require(stalled["error"] as? String)
            #expect(error.contains("timed out"), "\(error)")
            #expect(error.contains("FLOWFORGE_CHECKOUT_TIMEOUT"), "\(error)")

            // Same URL, same mirror and lock: the next pipeline is not stuck behind the first.
            let second = try await client.createPipeline(key: key, ["repo_url": url, "commands": ["cat README"]])
            let pipeline = try await client.awaitPipeline(second, key: key, timeout: .seconds(30))
            #expect(pipeline["commit_sha"] as? String == sha, "\(pipeline)")
            #expect(pipeline["error"] as? String == nil || pipeline["status"] as? String != "error", "\(pipeline)")
        }
    }
}
