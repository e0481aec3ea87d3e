import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `FLOWFORGE_MAX_LOG_BYTES`: a pipeline's log stops growing at the cap, says so once, and its steps go on.
@Suite("log cap", .needsDocker, .dockerPrerequisites)
struct LogCapTests {
    @Test func outputPastTheCapIsDroppedOnceNoticedAndTheStepsRunOn() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-logcap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "logcap.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: loud
                commands: ["seq 1 200000", "echo loud-is-done"]
              - name: after
                commands: [echo after-ran]
            """])
        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_MAX_LOG_BYTES": "20k"])) { client, configuration in
            #expect(configuration.logSettings.maxLogBytes == 20 * 1024)
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            // About 1.3 MB of output, 65 times the cap: the step is not held up by the dropped rest.
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success")
            #expect(steps(pipeline).map(\.status) == ["success", "success"])

            let loud = String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)/steps/loud/logs", token: key).body)
            let notice = PipelineLogBudget.notice(20 * 1024)
            #expect(loud.hasSuffix(notice))
            #expect(loud.utf8.count <= 20 * 1024 + 1 + notice.utf8.count)
            #expect(loud.utf8.count >= 20 * 1024)
            #expect(loud.hasPrefix("+ seq 1 200000\n1\n2\n"))
            #expect(!loud.contains("loud-is-done"))
            let whole = try await client.logs(id, key: key)
            #expect(whole.components(separatedBy: "output truncated").count == 2, "one notice in the whole log")
            #expect(!whole.contains("after-ran"))
        }
    }
}
