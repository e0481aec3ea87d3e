import AsyncHTTPClient
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `GET /api/v1/pipelines/:id/logs?follow=true`: the log streamed while the pipeline runs.
@Suite("following logs", .needsDocker, .dockerPrerequisites)
struct PipelineLogFollowTests {
    @Test func outputArrivesWhileTheStepStillRuns() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-follow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "follow.git", root: root)
        try repository.commit(["README": "hi\n"])
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            // The step waits for a file this test creates, so it is surely running when the first line is read.
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": [
                "echo first-line", "while [ ! -e go ]; do sleep 0.1; done", "printf second-line-without-newline",
            ]])
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/pipelines/\(id)/logs?follow=true")
            request.headers.add(name: "Authorization", value: "Bearer \(key)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain") == true)

            var text = ""
            var chunks = response.body.makeAsyncIterator()
            while !text.contains("first-line\n"), let chunk = try await chunks.next() { text += String(buffer: chunk) }
            let meanwhile = try json(try await client.send(.get, "/api/v1/pipelines/\(id)", token: key))
            #expect(meanwhile["status"] as? String == "running")
            #expect(text.hasPrefix("==> step run (running)\n"))

            let signal = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)/go")
            #expect(FileManager.default.createFile(atPath: signal.path, contents: Data()))
            while let chunk = try await chunks.next() { text += String(buffer: chunk) }

            #expect(text.hasSuffix("second-line-without-newline\n==> step run (success, exit code 0)\n"), "\(text)")
            // The same output as the whole log, opened as running and closed with the outcome.
            let closing = "==> step run (success, exit code 0)\n"
            let whole = try await client.logs(id, key: key)
            #expect(whole.hasPrefix(closing))
            #expect(text == "==> step run (running)\n" + whole.dropFirst(closing.count) + closing)
        }
    }

    @Test func followingAnEndedPipelineGivesTheWholeLog() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-follow-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "ended.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: build
                commands: [echo building]
              - name: test
                commands: [echo testing, "exit 3"]
              - name: deploy
                commands: [echo never]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "failure")

            let followed = try await client.send(.get, "/api/v1/pipelines/\(id)/logs?follow=true", token: key)
            let whole = try await client.logs(id, key: key)
            // Answered by the follower (the whole-log answer carries no such header), with the same bytes.
            #expect(followed.headers[.cacheControl] == "no-cache")
            #expect(String(buffer: followed.body) == whole)
            #expect(whole.contains("==> step test (failure, exit code 3)\n"))
            #expect(whole.contains("==> step deploy (skipped)\n"))
            #expect(whole.hasSuffix("==> failure: step test exited with code 3\n"))
        }
    }
}
