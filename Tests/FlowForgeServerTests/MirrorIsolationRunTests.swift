import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Through real pipelines: a step that overwrites its workspace's `.git/objects` (as root, in its container)
/// cannot damage the mirror another account's next pipeline of the same URL uses.
@Suite("mirror isolation in pipelines", .needsDocker, .dockerPrerequisites)
struct MirrorIsolationRunTests {
    @Test func stepWritingGitObjectsLeavesTheMirrorIntact() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("shared-objects.git")
        try repository.commit(["README": "one"])
        let url = try #require(repository.httpURL)
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let attacker = try await client.createAPIKey(access: try await client.register().access)
            let victim = try await client.createAPIKey(access: try await client.register().access)

            let hostile = try await client.createPipeline(key: attacker, ["repo_url": url, "commands": [
                "find .git/objects -type f | while read f; do chmod u+w \"$f\"; echo overwritten > \"$f\"; done",
                "find .git/objects -type f | head -3 | xargs cat",
            ]])
            let first = try await client.awaitPipeline(hostile, key: attacker)
            #expect(first["status"] as? String == "success", "\(first)")
            #expect(try await client.logs(hostile, key: attacker).contains("overwritten"))

            // The mirror's objects are untouched (not merely rebuilt later): sound right after the hostile step.
            let mirrors = configuration.dataDirectory.appendingPathComponent("mirrors")
            let mirror = try #require(try FileManager.default.contentsOfDirectory(at: mirrors, includingPropertiesForKeys: nil)
                .first { $0.pathExtension == "git" })
            #expect(throws: Never.self) { try GitCommandLine.run(["fsck", "--no-progress"], in: mirror) }

            let next = try repository.commit(["README": "two"])
            let id = try await client.createPipeline(key: victim, ["repo_url": url, "commands": ["cat README", "git fsck --no-progress 2>&1 || true"]])
            let pipeline = try await client.awaitPipeline(id, key: victim)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(pipeline["commit_sha"] as? String == next)
            #expect(try await client.logs(id, key: victim).contains("two"))

        }
    }
}
