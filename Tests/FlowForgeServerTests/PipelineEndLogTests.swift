import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The log of a pipeline that never ran a step is not an empty answer: it says why nothing ran.
@Suite("logs of pipelines that ran nothing", .needsDocker, .dockerPrerequisites)
struct PipelineEndLogTests {
    @Test func aSkippedPipelinesLogSaysWhy() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("skipped.git")
        try repository.commit(["flowforge.yml": """
            when:
              branch: release
            steps:
              - name: build
                commands: [echo never]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "skipped", "\(pipeline)")
            let log = try await client.logs(id, key: key)
            #expect(log.hasPrefix("==> skipped, nothing ran: "), "\(log)")
            #expect(log.contains("`when`"), "\(log)")
        }
    }

    @Test func aPipelineCanceledBeforeItStartedSaysSo() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("queued.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: long
                commands: [sleep 60]
            """])
        // One worker, held by the first pipeline: the second waits in the queue and is canceled there.
        try await withTestApp(environment: pipelineEnvironment(["MAX_CONCURRENT_PIPELINES": "1"])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let url = try #require(repository.httpURL)
            let running = try await client.createPipeline(key: key, ["repo_url": url, "branch": "main"])
            let queued = try await client.createPipeline(key: key, ["repo_url": url, "branch": "main"])
            _ = try await client.awaitPipeline(running, key: key, "to start") { $0["status"] as? String == "running" }
            #expect(try await client.send(.post, "/api/v1/pipelines/\(queued)/cancel", token: key).status == .ok)
            #expect(try await client.logs(queued, key: key) == "==> canceled before it started\n")
            _ = try await client.send(.post, "/api/v1/pipelines/\(running)/cancel", token: key)
            _ = try await client.awaitPipeline(running, key: key)
        }
    }
}
