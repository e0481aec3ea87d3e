import Foundation
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

private struct Refused: Error, Equatable {}

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

    @Test func queuedTransactionsShareOneCommitAndAFailingOneLosesOnlyItsOwnWrites() async throws {
        try await withTestDatabase { database, _ in
            try await database.withConnection { db in try await db.raw("CREATE TABLE group_probe (name TEXT PRIMARY KEY)").run() }
            let group = try #require(database.commitGroup)
            let commitsBefore = group.commits
            // The first transaction holds the connection until the others are queued behind it.
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
            let others = (0..<20).map { index in
                Task {
                    try await database.transaction(groupedBy: "account") { db in
                        try await db.raw("INSERT INTO group_probe (name) VALUES (\(bind: "t\(index)"))").run()
                        // Its own write goes with it; the others' stay.
                        if index == 7 { throw Refused() }
                    }
                }
            }
            while group.waitingCount < 20 { try await Task.sleep(for: .milliseconds(2)) }
            // Nothing of the queued ones is visible before their COMMIT (readers see committed data only).
            #expect(try await Self.rows(database).isEmpty)
            release.yield()
            try await first.value
            var refused = 0
            for (index, task) in others.enumerated() {
                do {
                    try await task.value
                } catch is Refused {
                    #expect(index == 7)
                    refused += 1
                }
            }
            #expect(refused == 1)
            let expected = (["first"] + (0..<20).filter { $0 != 7 }.map { "t\($0)" }).sorted()
            #expect(try await Self.rows(database) == expected)
            // One COMMIT for the first, at most a few for the twenty queued behind it (one when they all made
            // it into the same group); without grouping it would be twenty-one.
            #expect(group.commits - commitsBefore <= 3)
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
}
