import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `GET /api/v1/pipelines/:id/steps/:name/logs` with `?tail=N` and `?timestamps=true`, and the same options
/// on the whole log.
@Suite("step logs", .needsDocker, .dockerPrerequisites)
struct StepLogsTests {
    @Test func oneStepsOutputWholeTailedAndStamped() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-steplogs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "steplogs.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: build step
                commands: ["seq 1 5", "sleep 1", "printf six"]
              - name: test
                commands: [echo testing]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success")
            let base = "/api/v1/pipelines/\(id)/steps/build%20step/logs"

            let whole = try await client.send(.get, base, token: key)
            #expect(whole.status == .ok)
            #expect(String(buffer: whole.body) == "+ seq 1 5\n1\n2\n3\n4\n5\n+ sleep 1\n+ printf six\nsix\n")
            let tail = try await client.send(.get, base + "?tail=3", token: key)
            #expect(String(buffer: tail.body) == "+ sleep 1\n+ printf six\nsix\n")

            let stamped = String(buffer: try await client.send(.get, base + "?timestamps=true&tail=2", token: key).body)
            let lines = stamped.split(separator: "\n").map(String.init)
            #expect(lines.count == 2)
            let step = try #require((pipeline["steps"] as? [[String: Any]])?.first)
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            let started = try style.parse(try #require(step["started_at"] as? String))
            let finished = try style.parse(try #require(step["finished_at"] as? String))
            var times: [Date] = []
            for (line, text) in zip(lines, ["+ printf six", "six"]) {
                let space = try #require(line.firstIndex(of: " "))
                #expect(line[line.index(after: space)...] == text)
                let time = try style.parse(String(line[..<space]))
                #expect(time >= started.addingTimeInterval(-0.001) && time <= finished.addingTimeInterval(0.001))
                times.append(time)
            }
            // Output printed after the `sleep 1` carries its own time, not the step's start.
            let first = String(buffer: try await client.send(.get, base + "?timestamps=true", token: key).body)
            let firstTime = try style.parse(String(first.prefix { $0 != " " }))
            #expect(times[0].timeIntervalSince(firstTime) >= 0.9, "\(first)")

            // The whole log takes the same options, per step.
            let tailed = String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)/logs?tail=1", token: key).body)
            #expect(tailed == "==> step build step (success, exit code 0)\nsix\n==> step test (success, exit code 0)\ntesting\n")

            #expect(try await client.send(.get, "/api/v1/pipelines/\(id)/steps/nope/logs", token: key).status == .notFound)
            let bad = try await client.send(.get, base + "?tail=many", token: key)
            #expect(bad.status == .unprocessableContent)
            #expect(try errorCode(bad) == "validation_failed")
            let stranger = try await client.createAPIKey(access: try await client.register().access)
            #expect(try await client.send(.get, base, token: stranger).status == .notFound)
        }
    }
}
