import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// A log far larger than one read is answered whole and followed whole, byte for byte, in bounded chunks.
@Suite("streaming large logs", .needsDocker, .dockerPrerequisites)
struct PipelineLogStreamTests {
    @Test func aLogOfManyChunksIsAnsweredAndFollowedWhole() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-biglog-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "biglog.git", root: root)
        try repository.commit(["README": "x"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            // About 400 KiB of numbered lines, ending without a newline: many log-store chunks and follower looks.
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": [
                "seq 1 70000", "printf tail-without-newline",
            ]])
            #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "success")
            let whole = try await client.logs(id, key: key)
            // Each command is echoed before it runs (`+ …`), as in every log.
            let expected = (1...70_000).map(String.init).joined(separator: "\n") + "\n+ printf tail-without-newline\ntail-without-newline\n"
            #expect(whole.hasPrefix("==> step run (success, exit code 0)\n"))
            #expect(whole.hasSuffix(expected), "the log lost or reordered output")
            let followed = try await client.send(.get, "/api/v1/pipelines/\(id)/logs?follow=true", token: key)
            #expect(String(buffer: followed.body) == whole)
        }
    }
}
