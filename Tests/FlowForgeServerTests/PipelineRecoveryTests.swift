import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import Synchronization
import Logging
import Testing
@testable import FlowForgeServer

/// A worker that dies mid-pipeline leaves exactly this behind: a job marked running under a lease nobody
/// renews, a pipeline marked running, and its containers. These tests build that state in the database and
/// on the Docker daemon, then start the application and watch its worker take the job over.
@Suite("pipeline recovery", .needsDocker, .dockerPrerequisites)
struct PipelineRecoveryTests {
    struct Seeded: Sendable {
        let pipelineID: String
        let apiKey: String
    }

    /// Stores an account, an API key and a pipeline whose job was claimed `claims` times by workers that died.
    static func seedAbandonedPipeline(_ configuration: AppConfiguration, repoURL: String, claims: Int) async throws -> Seeded {
        let logger = Logger(label: "test.seed")
        let database = try openDatabase(configuration, logger: logger)
        try await Migrator(database: database, logger: logger).migrate()
        let now = Clock.nowMillis()
        let user = UserRecord(id: UUID().uuidString.lowercased(), email: "crash@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now)
        try await SQLUserRepository(database: database).create(user)
        let key = "ff_" + SecretHashing.randomToken()
        try await SQLAPIKeyRepository(database: database).create(
            APIKeyRecord(id: UUID().uuidString.lowercased(), userID: user.id, name: "t", prefix: String(key.prefix(11)), createdAt: now, lastUsedAt: nil, revokedAt: nil),
            keyHash: SecretHashing.hmacHex(key, key: configuration.apiKeySalt)
        )
        let pipelines = SQLPipelineRepository(database: database)
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: user.id, repoURL: repoURL, branch: "main", commitSHA: nil,
            event: "api", commands: ["echo recovered run"], environment: [:], createdAt: now
        )
        try await pipelines.createQueued(pipeline)
        let queue = SQLJobQueue(database: database)
        var last: ClaimedJob?
        for claim in 1...claims {
            // A lease that ended before it began: expired at once, as if its worker died right away.
            last = try await queue.claim(worker: "dead-worker-\(claim)", lease: -60_000)
            #expect(last?.attempt == claim)
        }
        // Fenced writes check the claim still holds the job, which an expired lease does until it is taken.
        try await pipelines.markRunning(try #require(last), at: now)
        await database.shutdown()
        return Seeded(pipelineID: pipeline.id, apiKey: key)
    }

    @Test func abandonedJobIsTakenOverAndItsContainersRemoved() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("recover")
        try repository.commit(["README": "x"])
        let seeded = Mutex<Seeded?>(nil)
        try await withTestApp(environment: pipelineEnvironment(), before: { configuration in
            let seed = try await Self.seedAbandonedPipeline(configuration, repoURL: repository.fileURL, claims: 1)
            // The dead worker's step container, still running.
            try runDocker(["run", "-d", "--network", "none", "--label", "flowforge.pipeline=\(seed.pipelineID)", DockerTestPrerequisites.testImage, "sleep", "300"])
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: seed.pipelineID)?.count == 1)
            seeded.withLock { $0 = seed }
        }) { client, _ in
            let seed = try #require(seeded.withLock { $0 })
            let pipeline = try await client.awaitPipeline(seed.pipelineID, key: seed.apiKey)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(try await client.logs(seed.pipelineID, key: seed.apiKey).contains("recovered run"))
            await awaitCleanedUp(seed.pipelineID)
        }
    }

    @Test func jobAbandonedTooOftenEndsAsError() async throws {
        let seeded = Mutex<Seeded?>(nil)
        try await withTestApp(environment: pipelineEnvironment(), before: { configuration in
            let seed = try await Self.seedAbandonedPipeline(configuration, repoURL: "file:///nonexistent", claims: 3)
            seeded.withLock { $0 = seed }
        }) { client, _ in
            let seed = try #require(seeded.withLock { $0 })
            let pipeline = try await client.awaitPipeline(seed.pipelineID, key: seed.apiKey)
            #expect(pipeline["status"] as? String == "error")
            #expect((pipeline["error"] as? String)?.contains("stopped 3 times") == true, "\(pipeline)")
        }
    }
}

/// Runs the docker CLI (tests only), failing the test when it fails.
func runDocker(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["docker"] + arguments
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "docker \(arguments.joined(separator: " ")) failed")
}
