import Foundation
import SQLKit
import Synchronization
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

private struct Refused: Error, Equatable {}

/// How often each member body ran.
private final class RunCounter: Sendable {
    private let state = Mutex<[String: Int]>([:])
    func count(_ name: String) { state.withLock { $0[name, default: 0] += 1 } }
    var counts: [String: Int] { state.withLock { $0 } }
}

/// Group commit: transactions queued behind another of their key (on SQLite: any) share one COMMIT, each
/// still all-or-nothing, none answered before the shared COMMIT; on SQLite `read` runs beside the writer and
/// sees every committed write.
@Suite("commit group")
struct CommitGroupTests {
    static func rows(_ database: Database) async throws -> [String] {
        try await database.read { db in
            try await db.raw("SELECT name FROM group_probe ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
        }
    }

    /// Runs a transaction that holds the connection (writing 'first') until `count` more, each running
    /// `body(index, db)`, are queued behind it; then lets it go and returns each queued one's outcome.
    static func queueBehindAHeldOne(
        _ database: Database, count: Int, _ body: @escaping @Sendable (Int, any SQLDatabase) async throws -> Void
    ) async throws -> [Result<Void, any Error>] {
        let group = try #require(database.commitGroup)
        let (released, release) = AsyncStream<Void>.makeStream()
        let (runs, running) = AsyncStream<Void>.makeStream()
        let first = Task {
            try await database.transaction(groupedBy: "account") { db in
                try await db.raw("INSERT INTO group_probe (name) VALUES ('first')").run()
                running.yield()
                for await _ in released { break }
            }
        }
        for await _ in runs { break }
        let others = (0..<count).map { index in
            Task { try await database.transaction(groupedBy: "account") { db in try await body(index, db) } }
        }
        while group.waitingCount < count { try await Task.sleep(for: .milliseconds(2)) }
        // Nothing of the queued ones is visible before their COMMIT (readers see committed data only).
        #expect(try await Self.rows(database).isEmpty)
        release.yield()
        try await first.value
        var outcomes: [Result<Void, any Error>] = []
        for task in others { outcomes.append(await task.result) }
        return outcomes
    }

    @Test func queuedTransactionsShareOneCommitAndAFailingOneLosesOnlyItsOwnWrites() async throws {
        try await withTestDatabase { database, _ in
            try await database.withConnection { db in try await db.raw("CREATE TABLE group_probe (name TEXT PRIMARY KEY)").run() }
            let group = try #require(database.commitGroup)
            let commitsBefore = group.commits
            let outcomes = try await Self.queueBehindAHeldOne(database, count: 20) { index, db in
                try await db.raw("INSERT INTO group_probe (name) VALUES (\(bind: "t\(index)"))").run()
                // Its own write goes with it; the others' stay.
                if index == 7 { throw Refused() }
            }
            let refused = outcomes.indices.filter { (try? outcomes[$0].get()) == nil }
            #expect(refused == [7])
            let expected = (["first"] + (0..<20).filter { $0 != 7 }.map { "t\($0)" }).sorted()
            #expect(try await Self.rows(database) == expected)
            // One COMMIT for the first, at most a few for the twenty queued behind it (one when they all made
            // it into the same group); without grouping it would be twenty-one.
            #expect(group.commits - commitsBefore <= 3)
        }
    }

    @Test func membersOfAGroupWithoutFailuresRunOnceAndAfterAFailureEachIsIsolated() async throws {
        try await withTestDatabase { database, _ in
            try await database.withConnection { db in try await db.raw("CREATE TABLE group_probe (name TEXT PRIMARY KEY)").run() }
            let runs = RunCounter()
            // No member fails: each body ran exactly once (side by side, no savepoints to undo one alone).
            let clean = try await Self.queueBehindAHeldOne(database, count: 10) { index, db in
                runs.count("a\(index)")
                try await db.raw("INSERT INTO group_probe (name) VALUES (\(bind: "a\(index)"))").run()
            }
            #expect(clean.allSatisfy { (try? $0.get()) != nil })
            #expect(runs.counts.values.allSatisfy { $0 == 1 } && runs.counts.count == 10)
            try await database.withConnection { db in try await db.raw("DELETE FROM group_probe").run() }
            // One fails: the group ran again with a savepoint each, so the failing one ran twice (the members
            // queued before it too; those after it had not run yet), its write is gone, and every other
            // write is there once.
            let failing = try await Self.queueBehindAHeldOne(database, count: 10) { index, db in
                runs.count("b\(index)")
                try await db.raw("INSERT INTO group_probe (name) VALUES (\(bind: "b\(index)"))").run()
                if index == 9 { throw Refused() }
            }
            #expect(failing.indices.filter { (try? failing[$0].get()) == nil } == [9])
            #expect(try await Self.rows(database) == (["first"] + (0..<9).map { "b\($0)" }).sorted())
            #expect(runs.counts["b9"] == 2 && (0..<9).allSatisfy { [1, 2].contains(runs.counts["b\($0)"]) }, "\(runs.counts)")
        }
    }

    @Test(.enabled(if: TestDatabase.postgresAdminURL == nil, "SQLite's readers"))
    func aTransactionAloneCommitsAtOnceAndReadersCannotWrite() async throws {
        try await withTestDatabase { database, _ in
            try await database.withConnection { db in try await db.raw("CREATE TABLE group_probe (name TEXT PRIMARY KEY)").run() }
            for index in 0..<3 {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO group_probe (name) VALUES (\(bind: "solo\(index)"))").run()
                }
                // Each returned transaction is visible at once to a reader on its own connection.
                #expect(try await Self.rows(database).count == index + 1)
            }
            await #expect(throws: (any Error).self) {
                try await database.read { db in try await db.raw("INSERT INTO group_probe (name) VALUES ('sneaky')").run() }
            }
            #expect(try await Self.rows(database).count == 3)
        }
    }

    @Test(.enabled(if: TestDatabase.postgresAdminURL == nil, "SQLite's settings"))
    func groupCommitAndReadersFollowTheirSettings() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-group-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        func open(_ settings: [String: String]) async throws -> [Bool] {
            var environment = baseTestEnvironment(directory: directory, databaseURL: "sqlite://" + directory.appendingPathComponent("s.sqlite").path)
            environment.merge(settings) { _, new in new }
            let database = try openDatabase(try AppConfiguration.fromEnvironment(environment), logger: .init(label: "test.group"))
            defer { Task { await database.shutdown() } }
            return [database.commitGroup != nil, database.readPool != nil]
        }
        #expect(try await open([:]) == [true, true])
        #expect(try await open(["FLOWFORGE_GROUP_COMMIT": "false", "FLOWFORGE_SQLITE_READERS": "0"]) == [false, false])
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "FLOWFORGE_SQLITE_READERS": "17"])
        }
    }

    /// PostgreSQL: the hot statements are prepared unless `FLOWFORGE_POSTGRES_PREPARED_STATEMENTS=false`, and
    /// a webhook's pipeline is stored either way (the same statement, sent unnamed).
    @Test(.enabled(if: TestDatabase.postgresAdminURL != nil, "PostgreSQL's setting"), arguments: [true, false])
    func preparedStatementsFollowTheirSetting(prepared: Bool) async throws {
        try await withMigratedDatabase { migrated, url in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-prepared-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            var environment = baseTestEnvironment(directory: directory, databaseURL: url)
            environment["FLOWFORGE_POSTGRES_PREPARED_STATEMENTS"] = prepared ? "true" : "false"
            let database = try openDatabase(try AppConfiguration.fromEnvironment(environment), logger: .init(label: "test.prepared"))
            let now = Clock.nowMillis()
            let pipeline = PipelineRecord(
                id: UUID().uuidString.lowercased(), userID: "u1", repoURL: "https://git.example/a.git", branch: "main",
                commitSHA: "abc", event: "push", commands: ["true"], environment: [:], createdAt: now)
            let delivery = WebhookDeliveryRecord(
                provider: "github", deliveryID: "d1", repositoryID: nil, statusCode: 202, response: "{}", createdAt: now)
            let outcome: Result<(Bool, Bool, String?), any Error>
            do {
                try await SQLUserRepository(database: migrated).create(UserRecord(
                    id: "u1", email: "p@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now))
                let session = try await database.withConnection { try PostgresSession.of($0).prepares }
                let pipelines = SQLPipelineRepository(database: database)
                let earlier = try await pipelines.createQueued(
                    pipeline, delivery: delivery, queuedStatus: nil, quota: RunQuota(pipelineRuns: 5, computeMinutes: nil))
                outcome = .success((session, earlier == nil, try await pipelines.find(id: pipeline.id)?.commitSHA))
            } catch {
                outcome = .failure(error)
            }
            await database.shutdown()
            let (session, stored, sha) = try outcome.get()
            #expect(session == prepared)
            #expect(stored && sha == "abc")
        }
    }
    /// A prepared statement first used in a transaction that is already broken fails, and PostgresNIO would
    /// fail it on that connection for good: the connection is closed instead, and the next delivery is stored.
    @Test(.enabled(if: TestDatabase.postgresAdminURL != nil, "PostgreSQL's prepared statements"))
    func aPreparationInABrokenTransactionClosesItsConnection() async throws {
        try await withMigratedDatabase { database in
            let now = Clock.nowMillis()
            try await SQLUserRepository(database: database).create(UserRecord(
                id: "u1", email: "p@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now))
            func pipeline() -> PipelineRecord {
                PipelineRecord(
                    id: UUID().uuidString.lowercased(), userID: "u1", repoURL: "https://git.example/a.git", branch: "main",
                    commitSHA: "abc", event: "push", commands: ["true"], environment: [:], createdAt: now)
            }
            func delivery() -> WebhookDeliveryRecord {
                WebhookDeliveryRecord(provider: "github", deliveryID: UUID().uuidString, repositoryID: nil, statusCode: 202, response: "{}", createdAt: now)
            }
            let closed = try await database.withConnection { db in
                let session = try #require(db as? PostgresSession)
                try await db.raw("BEGIN").run()
                await #expect(throws: (any Error).self) { try await db.raw("SELECT 1 / 0").run() }
                await #expect(throws: (any Error).self) {
                    _ = try await SQLPipelineRepository.insertQueuedAtOnce(
                        pipeline(), delivery: delivery(), quota: nil, on: db)
                }
                return session.connection.isClosed
            }
            #expect(closed)
            let stored = pipeline()
            #expect(try await SQLPipelineRepository(database: database).createQueued(stored, delivery: delivery(), queuedStatus: nil) == nil)
            #expect(try await SQLPipelineRepository(database: database).find(id: stored.id) != nil)
        }
    }
}
