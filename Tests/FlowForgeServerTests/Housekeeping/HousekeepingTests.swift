import FlowForgeTestSupport
import Foundation
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// One housekeeping pass on a real database, data directory and Docker daemon: what crashed runs and time
/// leave behind goes; what is in use or young stays.
@Suite("housekeeping")
struct HousekeepingTests {
    /// Opens the services of a fresh installation and runs `body` with them.
    static func withServices(_ extra: [String: String] = [:], _ body: (AppServices) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-house-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let made = try await TestDatabase.make(in: root)
        var environment = baseTestEnvironment(directory: root.appendingPathComponent("data"), databaseURL: made.url)
        environment.merge(pipelineEnvironment(extra)) { _, new in new }
        let services = try await openServices(configuration: try AppConfiguration.fromEnvironment(environment), logger: nil)
        do {
            try await body(services)
        } catch {
            await services.database.shutdown()
        try? await services.gitThreadPool.shutdownGracefully()
            await made.drop()
            throw error
        }
        await services.database.shutdown()
        try? await services.gitThreadPool.shutdownGracefully()
        await made.drop()
    }

    /// Inserts a pipeline in `status`, ended `endedDaysAgo` days ago when given, with a job in `jobStatus`.
    static func pipeline(_ services: AppServices, status: String, endedDaysAgo: Int? = nil, jobStatus: String = "done") async throws -> String {
        let id = UUID().uuidString.lowercased(), userID = UUID().uuidString.lowercased()
        let now = Clock.nowMillis()
        let ended = endedDaysAgo.map { now - Int64($0) * 86_400_000 }
        try await services.database.withConnection { db in
            try await db.raw("""
                INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
                VALUES (\(bind: userID), \(bind: "\(userID)@example.com"), 'x', 'free', 0, 0)
                """).run()
            try await db.raw("""
                INSERT INTO pipelines (id, user_id, repo_url, branch, event, status, created_at, completed_at)
                VALUES (\(bind: id), \(bind: userID), 'x', 'main', 'api', \(bind: status), \(bind: ended ?? now), \(bind: ended))
                """).run()
            try await db.raw("""
                INSERT INTO jobs (id, pipeline_id, status, attempts, available_at, created_at)
                VALUES (\(bind: UUID().uuidString), \(bind: id), \(bind: jobStatus), 1, 0, \(bind: ended ?? now))
                """).run()
        }
        return id
    }

    @Test(.needsDocker, .dockerPrerequisites)
    func containersOfFinishedPipelinesAreReapedWhileRunningOnesStay() async throws {
        try await Self.withServices { services in
            let finished = try await Self.pipeline(services, status: "success", endedDaysAgo: 0)
            let running = try await Self.pipeline(services, status: "running", jobStatus: "running")
            for id in [finished, running] {
                try runDocker(["run", "-d", "--network", "none", "--label", "flowforge.pipeline=\(id)", DockerTestPrerequisites.testImage, "sleep", "300"])
            }
            await services.housekeepingService().sweep()
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: finished) == [])
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: running)?.count == 1)
            _ = try await services.backend.remove(pipelineID: running)
        }
    }

    @Test func leftoverWorkspacesOfFinishedPipelinesAreSweptEvenWhenLockedDown() async throws {
        try await Self.withServices { services in
            let root = services.configuration.dataDirectory.appendingPathComponent("workspaces")
            let finished = try await Self.pipeline(services, status: "failure", endedDaysAgo: 0)
            let running = try await Self.pipeline(services, status: "running", jobStatus: "running")
            let fileManager = FileManager.default
            // What a step can do to its workspace: a directory nobody may write to or list.
            let locked = root.appendingPathComponent("\(finished)/build/locked")
            try fileManager.createDirectory(at: locked, withIntermediateDirectories: true)
            _ = fileManager.createFile(atPath: locked.appendingPathComponent("artifact").path, contents: Data("x".utf8))
            #expect(chmod(locked.path, 0) == 0)
            let aside = root.appendingPathComponent("\(finished).unremovable-\(UUID().uuidString)")
            try fileManager.createDirectory(at: aside, withIntermediateDirectories: true)
            try fileManager.createDirectory(at: root.appendingPathComponent(running), withIntermediateDirectories: true)
            // A run's own /etc/hosts (network none), left by a crash, and the one of a run still going.
            for id in [finished, running] {
                _ = fileManager.createFile(atPath: root.appendingPathComponent("\(id).hosts").path, contents: Data("127.0.0.1\tlocalhost\n".utf8))
            }

            await services.housekeepingService().sweep()
            #expect(!fileManager.fileExists(atPath: root.appendingPathComponent(finished).path))
            #expect(!fileManager.fileExists(atPath: aside.path))
            #expect(!fileManager.fileExists(atPath: root.appendingPathComponent("\(finished).hosts").path))
            #expect(fileManager.fileExists(atPath: root.appendingPathComponent(running).path))
            #expect(fileManager.fileExists(atPath: root.appendingPathComponent("\(running).hosts").path))
        }
    }

    @Test func logsAndRecordsPastTheirRetentionAreDeleted() async throws {
        try await Self.withServices(["FLOWFORGE_LOG_RETENTION_DAYS": "90", "FLOWFORGE_RECORD_RETENTION_DAYS": "30"]) { services in
            let old = try await Self.pipeline(services, status: "success", endedDaysAgo: 91)
            let recent = try await Self.pipeline(services, status: "success", endedDaysAgo: 10)
            let queued = try await Self.pipeline(services, status: "pending", endedDaysAgo: 40, jobStatus: "queued")
            for id in [old, recent] {
                try await services.logs.append(pipelineID: id, step: "build", bytes: Array("output\n".utf8))
            }
            let now = Clock.nowMillis(), longAgo = now - 31 * 86_400_000
            try await services.database.withConnection { db in
                for (id, at) in [("old", longAgo), ("new", now)] {
                    try await db.raw("""
                        INSERT INTO webhook_deliveries (provider, delivery_id, status_code, response, created_at)
                        VALUES ('github', \(bind: id), 202, '{}', \(bind: at))
                        """).run()
                }
            }

            await services.housekeepingService().sweep()
            #expect(try await services.logs.read(pipelineID: old, step: "build") == nil)
            #expect(try await services.logs.read(pipelineID: recent, step: "build") != nil)
            let expired = try await services.database.withConnection { db in
                try await db.raw("SELECT id FROM pipelines WHERE logs_expired_at IS NOT NULL").all().map { try $0.decode(column: "id", as: String.self) }
            }
            #expect(expired == [old])
            let jobs = try await services.database.withConnection { db in
                try await db.raw("SELECT pipeline_id FROM jobs ORDER BY pipeline_id").all().map { try $0.decode(column: "pipeline_id", as: String.self) }
            }
            // The 91-day-old finished job goes; the 10-day-old one and the queued one (however old) stay.
            #expect(Set(jobs) == [recent, queued])
            let deliveries = SQLWebhookDeliveryRepository(database: services.database)
            #expect(try await deliveries.find(provider: "github", deliveryID: "old") == nil)
            #expect(try await deliveries.find(provider: "github", deliveryID: "new") != nil)
        }
    }

    @Test func uploadedArchivesOfEndedPipelinesAndOrphansAreDeletedWhileQueuedOnesStay() async throws {
        try await Self.withServices { services in
            let ended = try await Self.pipeline(services, status: "canceled", endedDaysAgo: 0)
            let queued = try await Self.pipeline(services, status: "pending", jobStatus: "queued")
            let sources = SQLPipelineSourceRepository(database: services.database)
            let now = Clock.nowMillis()
            for id in [ended, queued] { try await sources.store(pipelineID: id, fileName: "src.tar", content: [1, 2, 3], at: now) }
            // Kept while its upload may still be queueing; dropped an hour after a launch that never happened.
            try await sources.store(pipelineID: "never-queued-recent", fileName: "a.tar", content: [1], at: now)
            try await sources.store(pipelineID: "never-queued-old", fileName: "b.tar", content: [1], at: now - 2 * 3_600_000)

            await services.housekeepingService().sweep()
            #expect(try await sources.content(pipelineID: ended) == nil)
            #expect(try await sources.content(pipelineID: queued)?.bytes == [1, 2, 3])
            #expect(try await sources.content(pipelineID: "never-queued-recent") != nil)
            #expect(try await sources.content(pipelineID: "never-queued-old") == nil)
        }
    }

    @Test func mirrorsBeyondTheCacheSizeAreEvictedLeastRecentlyUsedFirst() async throws {
        try await Self.withServices(["FLOWFORGE_MIRROR_CACHE_MAX_BYTES": "1048576"]) { services in
            let root = services.git.root
            let fileManager = FileManager.default
            try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
            // Three mirrors of 600 KiB: used 3 days, 2 days and a minute ago.
            for (key, age) in [("oldest", 3 * 86_400.0), ("older", 2 * 86_400.0), ("fresh", 60.0)] {
                let directory = root.appendingPathComponent("\(key).git/objects")
                try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
                try Data(repeating: 7, count: 600 * 1024).write(to: directory.appendingPathComponent("pack"))
                let lock = root.appendingPathComponent("\(key).lock").path
                _ = fileManager.createFile(atPath: lock, contents: nil)
                try fileManager.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: lock)
            }
            await services.housekeepingService().sweep()
            // 1.8 MiB over a 1 MiB cap: the two least recently used go; the one used a minute ago is spared.
            #expect(!fileManager.fileExists(atPath: root.appendingPathComponent("oldest.git").path))
            #expect(!fileManager.fileExists(atPath: root.appendingPathComponent("older.git").path))
            #expect(fileManager.fileExists(atPath: root.appendingPathComponent("fresh.git").path))
        }
    }
}
