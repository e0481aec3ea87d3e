import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `POST /api/v1/pipelines` with `"event": "manual"`: what `when.event: manual` matches.
@Suite("manual runs in Docker", .needsDocker, .dockerPrerequisites)
struct ManualEventTests {
    @Test func manualRunsMatchWhenEventManual() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("manual")
        try repository.commit(["flowforge.yml": "when: { event: manual }\nsteps:\n  - { name: release, commands: ['echo \"$FLOWFORGE_EVENT\"'] }\n"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let url = try #require(repository.httpURL)
            let manual = try await client.createPipeline(key: key, ["repo_url": url, "event": "manual"])
            let ran = try await client.awaitPipeline(manual, key: key)
            #expect(ran["status"] as? String == "success" && ran["event"] as? String == "manual", "\(ran)")
            #expect(try await client.logs(manual, key: key).contains("\nmanual\n"))

            let api = try await client.createPipeline(key: key, ["repo_url": url])
            #expect(try await client.awaitPipeline(api, key: key)["status"] as? String == "skipped")

            let bad = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": url, "event": "push"])
            #expect(bad.status == .unprocessableContent)
            #expect(text(bad).contains("event: must be api or manual"), "\(text(bad))")
        }
    }
}
