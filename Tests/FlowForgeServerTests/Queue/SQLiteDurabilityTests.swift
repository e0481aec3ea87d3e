import Foundation
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// What FlowForge acknowledges is on disk: SQLite commits with `synchronous = FULL` unless the operator
/// chose otherwise.
@Suite("SQLite durability", .enabled(if: TestDatabase.postgresAdminURL == nil, "SQLite only"))
struct SQLiteDurabilityTests {
    static func synchronous(_ environment: [String: String]) async throws -> Int {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-sync-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var all = baseTestEnvironment(directory: directory, databaseURL: "sqlite://" + directory.appendingPathComponent("x.sqlite").path)
        all.merge(environment) { _, new in new }
        let configuration = try AppConfiguration.fromEnvironment(all)
        let database = try openDatabase(configuration, logger: Logger(label: "test.sync"))
        let value = try await database.withConnection { db in
            try await db.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
        }
        await database.shutdown()
        return try #require(value)
    }

    @Test func commitsAreFullySynchronousByDefault() async throws {
        #expect(try await Self.synchronous([:]) == 2)  // FULL
        #expect(try await Self.synchronous(["FLOWFORGE_SQLITE_SYNCHRONOUS": "normal"]) == 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-sync-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "FLOWFORGE_SQLITE_SYNCHRONOUS": "off"])
        }
    }
}
