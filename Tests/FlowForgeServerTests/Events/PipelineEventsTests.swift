import AsyncHTTPClient
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `GET /api/v1/pipelines/:id/events`: a real pipeline's events over SSE, read live, late and resumed.
@Suite("pipeline events", .needsDocker, .dockerPrerequisites)
struct PipelineEventsTests {
    static let twoSteps = """
        steps:
          - name: build
            commands: [echo building, echo built]
          - name: test
            commands: [echo testing, "exit 3"]
          - name: deploy
            commands: [echo never]
        """

    @Test func theStreamOfARealPipelineTellsItInOrderAndEnds() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-events-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "events.git", root: root)
        try repository.commit(["flowforge.yml": Self.twoSteps])
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            // Connected at once: the reader follows the pipeline from its queue to its end.
            var stream = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key)
            #expect(stream.response.status == .ok)
            #expect(stream.response.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
            #expect(stream.response.headers.first(name: "Cache-Control") == "no-cache")
            #expect(stream.response.headers.first(name: "X-Accel-Buffering") == "no")
            let events = try await stream.rest()
            #expect(stream.closed)
            #expect(stream.retry == 3000)
            #expect(events.allSatisfy { $0.id?.isEmpty == false }, "every event has an id")
            #expect(Set(events.compactMap(\.id)).count == events.count, "ids are unique")

            let story = events.filter { $0.event != "log" }.map { event -> String in
                let object = event.object
                switch event.event {
                case "step": return "step \(object["name"] ?? "") \(object["status"] ?? "") \(object["exit_code"].map { "\($0)" } ?? "")"
                default: return "\(event.event) \(object["status"] ?? "")"
                }
            }
            let expected = [
                "step build running <null>", "step build success 0", "step test running <null>", "step test failure 3",
                "step deploy skipped <null>", "pipeline failure", "end failure",
            ]
            #expect(story.drop { $0.hasPrefix("pipeline pending") || $0.hasPrefix("pipeline running") } == ArraySlice(expected), "\(story)")
            #expect(story.contains("pipeline running"))
            #expect(events.lines(of: "build") == ["+ echo building", "building", "+ echo built", "built"])
            #expect(events.lines(of: "test") == ["+ echo testing", "testing", "+ exit 3"])
            // Each step's output comes between its opening and its closing.
            let buildEnd = try #require(events.firstIndex { $0.event == "step" && $0.object["status"] as? String == "success" })
            #expect(events.lastIndex { $0.event == "log" && $0.object["step"] as? String == "build" }! < buildEnd)
            let step = try #require(events[buildEnd].object as [String: Any]?)
            #expect(Set(step.keys) == ["name", "status", "started_at", "completed_at", "exit_code"])
            #expect(step["started_at"] is String && step["completed_at"] is String)
            #expect(events.last?.event == "end")

            // A late reader gets everything already written, the same story from `running` on; so does the
            // log route asked for events.
            var late = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key)
            let lateEvents = try await late.rest()
            #expect(Array(lateEvents) == Array(events.drop { $0.event == "pipeline" && $0.object["status"] as? String == "pending" }))
            var viaLogs = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/logs", key: key)
            #expect(try await viaLogs.rest() == lateEvents)

            // Another account's pipeline is not there at all.
            let stranger = try await client.createAPIKey(access: try await client.register().access)
            let foreign = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: stranger)
            #expect(foreign.response.status == .notFound)
            let garbled = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key, lastEventID: "x.y")
            #expect(garbled.response.status == .badRequest)
        }
    }

    @Test func aReconnectWithLastEventIDGetsExactlyTheRest() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-events-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "resume.git", root: root)
        try repository.commit(["README": "x"])
        try await withLiveTestApp(environment: pipelineEnvironment(["FLOWFORGE_SSE_KEEPALIVE_MS": "100"])) { client, port, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": [
                "seq 1 3", "while [ ! -e go ]; do sleep 0.05; done", "seq 4 6", "printf no-newline",
            ]])
            // The first reader leaves after line 2, while the step still runs.
            var first = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key)
            var seen: [ReceivedEvent] = []
            while let event = try await first.next() {
                seen.append(event)
                if event.event == "log", event.object["line"] as? String == "2" { break }
            }
            let lastID = try #require(seen.last?.id)
            first = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key, lastEventID: lastID)
            // The second reader is resumed while nothing new is written: it gets line 3 and then waits (its
            // keep-alive comments show the stream is open and idle).
            var resumed: [ReceivedEvent] = []
            while let event = try await first.next() {
                resumed.append(event)
                if event.event == "log", event.object["line"] as? String == "3" { break }
            }
            while first.comments < 2, let item = try await first.next(orComment: true) {
                if item.event != ":" { resumed.append(item) }
            }
            let signal = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)/go")
            #expect(FileManager.default.createFile(atPath: signal.path, contents: Data()))
            resumed += try await first.rest()

            var late = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key)
            let all = try await late.rest()
            let cut = try #require(all.firstIndex { $0.id == lastID }, "the late reader sent the same ids")
            #expect(Array(all[(cut + 1)...]) == resumed, "no gap, no duplicate")
            #expect(Array(all[...cut]) == seen.filter { !($0.event == "pipeline" && $0.object["status"] as? String == "pending") })
            #expect(all.lines(of: "run").filter { !$0.hasPrefix("+ ") } == ["1", "2", "3", "4", "5", "6", "no-newline"])
            #expect(resumed.last?.event == "end")
        }
    }
}
