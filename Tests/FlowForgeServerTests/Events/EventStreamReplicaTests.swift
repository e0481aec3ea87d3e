import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Event streams across `flowforge serve` processes on one PostgreSQL database and one data directory (the
/// log store a shared volume): a reader on the replica that does not run the pipeline, a stream ended by
/// that replica's shutdown, and its reader resumed on the other one with Last-Event-ID.
@Suite("event streams across replicas", .needsDocker, .dockerPrerequisites, .serialized,
       .enabled(if: TestDatabase.postgresURLForComparison != nil, "needs FLOWFORGE_TEST_POSTGRES_URL"))
struct EventStreamReplicaTests {
    @Test func aSecondServerStreamsEndsOnShutdownAndAnotherResumes() async throws {
        let admin = try #require(TestDatabase.postgresURLForComparison)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-replicas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let name = "ff_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await TestDatabase.adminQuery(admin, "CREATE DATABASE \(name)")
        defer {
            Task { try? await TestDatabase.adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
            try? FileManager.default.removeItem(at: root)
        }
        var environment = baseTestEnvironment(
            directory: root.appendingPathComponent("data"), databaseURL: TestDatabase.replacingDatabase(in: admin, with: String(name)))
        environment.merge(pipelineEnvironment(["LOG_LEVEL": "info", "FLOWFORGE_SHUTDOWN_GRACE": "5"])) { _, new in new }
        let repository = try GitTestRepository(name: "replicas.git", root: root.appendingPathComponent("git"))
        try repository.commit(["README": "x"])

        func serve(_ port: Int) async throws -> ServerProcess {
            let server = try ServerProcess(["serve", "--port", "\(port)"], environment: environment)
            let up = await server.waitUntilListening(port: port)
            #expect(up, "flowforge serve did not start:\n\(server.output)")
            if !up { throw CancellationError() }
            return server
        }
        let portA = ServerProcess.freePort()
        let serverA = try await serve(portA)
        let client = ServerProcessClient(port: portA)
        let key = try await client.apiKey()
        let wait = { (file: String) in "while [ ! -e /workspace/\(file) ]; do sleep 0.05; done" }
        let id = try #require(try await client.object(.POST, "/api/v1/pipelines", token: key, json: [
            "repo_url": repository.fileURL, "commands": ["echo output-1", wait("go"), "echo output-2", wait("go2"), "echo output-3"],
        ])["id"] as? String)
        // A runs it; B, started only now, never holds its job.
        _ = try await client.awaitPipeline(id, key: key, "to run its step") { steps($0).first?.status == "running" }
        let portB = ServerProcess.freePort()
        let serverB = try await serve(portB)
        let workspace = root.appendingPathComponent("data/workspaces/\(id)")

        var onB = try await EventStreamClient.open(port: portB, "/api/v1/pipelines/\(id)/events", key: key)
        #expect(onB.response.status == .ok)
        var fromB: [ReceivedEvent] = []
        var touchedGo = false
        while let event = try await onB.next() {
            fromB.append(event)
            if event.event == "log", event.object["line"] as? String == "output-1", !touchedGo {
                touchedGo = FileManager.default.createFile(atPath: workspace.appendingPathComponent("go").path, contents: Data())
            }
            if event.event == "log", event.object["line"] as? String == "output-2" { break }
        }
        // B shuts down while its reader waits: the stream ends (no `end`) and B exits within its grace.
        serverB.signal(SIGTERM)
        let afterShutdown = try await onB.rest()
        #expect(onB.closed)
        #expect(!afterShutdown.contains { $0.event == "end" })
        fromB += afterShutdown
        #expect(await serverB.waitForExit(timeout: .seconds(20)) != nil, "B did not exit:\n\(serverB.output)")

        let lastID = try #require(fromB.last?.id)
        var onA = try await EventStreamClient.open(port: portA, "/api/v1/pipelines/\(id)/events", key: key, lastEventID: lastID)
        #expect(FileManager.default.createFile(atPath: workspace.appendingPathComponent("go2").path, contents: Data()))
        let fromA = try await onA.rest()
        #expect(fromA.last?.event == "end")
        #expect(fromA.last?.object["status"] as? String == "success")
        let lines = (fromB + fromA).lines(of: "run").filter { !$0.hasPrefix("+ ") }
        #expect(lines == ["output-1", "output-2", "output-3"], "\(fromB + fromA)")
        serverA.signal(SIGTERM)
        _ = await serverA.waitForExit(timeout: .seconds(20))
    }
}
