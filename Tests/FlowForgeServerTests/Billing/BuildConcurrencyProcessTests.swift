import FlowForgeTestSupport
import Foundation
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// `concurrent_builds` across processes: `serve` and two `flowforge worker` processes on one PostgreSQL.
@Suite(
    "concurrent builds across worker processes", .needsDocker, .dockerPrerequisites,
    .enabled(if: TestDatabase.postgresAdminURL != nil, "processes share one queue on PostgreSQL (FLOWFORGE_TEST_DATABASE_URL)"))
struct BuildConcurrencyProcessTests {
    /// serve's one slot is held by a pro account's long pipeline, so the free account's three pipelines are
    /// claimed by the two worker processes, which have two free slots each: they still run one at a time.
    @Test func aFreeAccountsPipelinesRunOneAtATimeAcrossTwoWorkerProcesses() async throws {
        let installation = try await ServerRestartTests.Installation.make(["MAX_CONCURRENT_PIPELINES": "1"])
        defer { Task { await installation.remove() } }
        let repository = try ServerRestartTests.repository(in: installation.root)
        let port = ServerProcess.freePort()
        let server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }
        var workerEnvironment = installation.environment
        workerEnvironment["MAX_CONCURRENT_PIPELINES"] = "2"
        let workers = try (0..<2).map { _ in try ServerProcess(["worker"], environment: workerEnvironment) }
        defer { for worker in workers { worker.signal(SIGKILL) } }

        let client = ServerProcessClient(port: port)
        let pro = try await client.account()
        let configuration = try AppConfiguration.fromEnvironment(installation.environment)
        let proUser = try #require(try await client.object(.GET, "/api/v1/user", token: pro.key)["id"] as? String)
        try await setPlan(configuration, userID: proUser, plan: "pro")
        let long = try #require(try await client.object(.POST, "/api/v1/pipelines", token: pro.key, json: [
            "repo_url": repository.fileURL, "commands": ["sleep 4"],
        ])["id"] as? String)
        _ = try await client.awaitPipeline(long, key: pro.key, "to run") { ($0["status"] as? String) == "running" }

        let free = try await client.apiKey()
        var ids: [String] = []
        for _ in 0..<3 {
            ids.append(try #require(try await client.object(.POST, "/api/v1/pipelines", token: free, json: [
                "repo_url": repository.fileURL, "commands": ["sleep 1"],
            ])["id"] as? String))
        }
        var finished: [[String: Any]] = []
        for id in ids {
            finished.append(try await client.awaitPipeline(id, key: free, "to finish", timeout: .seconds(120)) {
                !["pending", "running"].contains($0["status"] as? String ?? "")
            })
        }
        #expect(finished.allSatisfy { $0["status"] as? String == "success" }, "\(finished)")
        let spans = try finished.map { (try BuildConcurrencyRunTests.time($0, "started_at"), try BuildConcurrencyRunTests.time($0, "completed_at")) }
            .sorted { $0.0 < $1.0 }
        for (earlier, later) in zip(spans, spans.dropFirst()) {
            #expect(later.0 >= earlier.1, "two builds of a free account overlapped: \(spans)")
        }
        // The worker processes took part: a free pipeline was claimed while serve's one slot ran the long one.
        let owners = try await Self.leaseOwners(configuration, pipelines: [long] + ids)
        #expect(Set(owners.dropFirst().map { $0.prefix(43) }).contains { $0 != owners[0].prefix(43) }, "\(owners)")
    }

    /// Each job's `lease_owner` (the claiming worker's name, then the claim's own token).
    static func leaseOwners(_ configuration: AppConfiguration, pipelines: [String]) async throws -> [String] {
        let database = try openDatabase(configuration, logger: Logger(label: "test.peek"))
        defer { Task { await database.shutdown() } }
        var owners: [String] = []
        for id in pipelines {
            owners.append(try await database.withConnection { db in
                try #require(try await db.raw("SELECT lease_owner FROM jobs WHERE pipeline_id = \(bind: id)").first())
                    .decode(column: "lease_owner", as: String.self)
            })
        }
        return owners
    }
}
