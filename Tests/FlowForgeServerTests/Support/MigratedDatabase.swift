import FlowForgeStore
import Foundation
import Logging
@testable import FlowForgeServer

/// A fresh, migrated test database (SQLite, or PostgreSQL under `FLOWFORGE_TEST_DATABASE_URL`) for store-level
/// tests; closed and dropped afterwards.
func withMigratedDatabase(_ body: @Sendable (Database) async throws -> Void) async throws {
    try await withMigratedDatabase { database, _ in try await body(database) }
}

/// The same, also handing over the database's URL (for a test that needs a second connection pool on it).
func withMigratedDatabase(_ body: @Sendable (Database, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = try await TestDatabase.make(in: directory)
    let configuration = try AppConfiguration.fromEnvironment(baseTestEnvironment(directory: directory, databaseURL: target.url))
    var logger = Logger(label: "test.store")
    logger.logLevel = .warning
    let database = try openDatabase(configuration, logger: logger)
    do {
        try await Migrator(database: database, logger: logger).migrate()
        try await body(database, target.url)
    } catch {
        await database.shutdown()
        await target.drop()
        throw error
    }
    await database.shutdown()
    await target.drop()
}
