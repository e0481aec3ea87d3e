import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Kept work trees through real containers: what one pipeline's steps leave in the workspace never reaches
/// the next, even though the next one's tree is the same directory brought back to the commit.
@Suite("workspace reuse in Docker", .needsDocker, .dockerPrerequisites)
struct WorkspaceReuseRunTests {
    @Test func stepsOfOnePipelineLeaveNothingForTheNext() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("reuse")
        try repository.commit(["tracked.txt": "original\n", "src/keep.txt": "keep\n"])
        let url = try #require(repository.httpURL)

        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_KEEP_WORKTREES": "4"])) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let kept = configuration.dataDirectory.appendingPathComponent("worktrees")

            let dirty = try await client.createPipeline(key: key, ["repo_url": url, "commands": [
                "echo leftover > leftover.txt",
                "mkdir -p cache && echo x > cache/entry",
                // Same size as the original and an old modification time: only the change time tells.
                "echo tampere > tracked.txt && touch -d '2020-01-01 00:00:00' tracked.txt",
                "rm src/keep.txt",
            ]])
            #expect(try await client.awaitPipeline(dirty, key: key)["status"] as? String == "success")
            // The end is recorded before the tree is kept: wait for it, as the next push would find it.
            await awaitCleanedUp(dirty, workspace: configuration.dataDirectory.appendingPathComponent("workspaces/\(dirty)"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: kept.path).count == 1)

            let clean = try await client.createPipeline(key: key, ["repo_url": url, "commands": [
                "test ! -e leftover.txt", "test ! -e cache", "grep -qx original tracked.txt", "grep -qx keep src/keep.txt",
            ]])
            let pipeline = try await client.awaitPipeline(clean, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            await awaitCleanedUp(clean, workspace: configuration.dataDirectory.appendingPathComponent("workspaces/\(clean)"))
            let slots = try FileManager.default.contentsOfDirectory(atPath: kept.path)
            #expect(slots.count == 1)
            // The second pipeline took the dirty tree and kept it again, cleaned: had it checked out a tree of
            // its own instead, the slot would still hold the first pipeline's leftovers.
            let tree = kept.appendingPathComponent(try #require(slots.first)).appendingPathComponent("tree")
            #expect(!FileManager.default.fileExists(atPath: tree.appendingPathComponent("leftover.txt").path))
            #expect(try String(contentsOf: tree.appendingPathComponent("tracked.txt"), encoding: .utf8) == "original\n")
            let workspace = configuration.dataDirectory.appendingPathComponent("workspaces/\(clean)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path))
        }
    }
}
