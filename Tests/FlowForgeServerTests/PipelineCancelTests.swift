import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `POST /api/v1/pipelines/:id/cancel` against real containers and the real queue.
@Suite("canceling pipelines", .needsDocker, .dockerPrerequisites)
struct PipelineCancelTests {
    @Test func runningAndQueuedPipelinesAreCanceled() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cancel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "cancel.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: long
                commands: [sleep 60]
              - name: after
                commands: [echo never]
            """])
        // One worker: the second pipeline waits in the queue behind the first.
        try await withTestApp(environment: pipelineEnvironment(["MAX_CONCURRENT_PIPELINES": "1"])) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let running = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let queued = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            _ = try await client.awaitPipeline(running, key: key, "to run its first step") { steps($0).first?.status == "running" }

            let withdrawn = try await client.send(.post, "/api/v1/pipelines/\(queued)/cancel", token: key)
            #expect(withdrawn.status == .ok)
            #expect(try json(withdrawn)["status"] as? String == "canceled")

            let stopping = try await client.send(.post, "/api/v1/pipelines/\(running)/cancel", token: key)
            #expect(stopping.status == .accepted)
            let stopped = try await client.awaitPipeline(running, key: key)
            #expect(stopped["status"] as? String == "canceled", "\(stopped)")
            #expect(steps(stopped).map(\.status) == ["canceled", "canceled"])
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: running) == [])
            let workspace = configuration.dataDirectory.appendingPathComponent("workspaces/\(running)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path))

            // The queued one never ran, even now that the worker is free.
            let never = try await client.awaitPipeline(queued, key: key)
            #expect(never["status"] as? String == "canceled")
            #expect(never["started_at"] is NSNull || never["started_at"] == nil)
        }
    }

    @Test func finishedOrForeignPipelinesAreRefused() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cancel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "done.git", root: root)
        try repository.commit(["README": "hi"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let other = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": ["true"]])
            #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "success")

            let finished = try await client.send(.post, "/api/v1/pipelines/\(id)/cancel", token: key)
            #expect(finished.status == .conflict)
            let error = try #require(try json(finished)["error"] as? [String: Any])
            #expect(error["code"] as? String == "pipeline_finished")
            #expect((error["message"] as? String)?.contains("success") == true)
            #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "success")

            #expect(try await client.send(.post, "/api/v1/pipelines/\(id)/cancel", token: other).status == .notFound)
            #expect(try await client.send(.post, "/v1/pipelines/\(UUID().uuidString)/cancel", token: key).status == .notFound)
        }
    }
}
