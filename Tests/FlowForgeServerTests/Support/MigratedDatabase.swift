import FlowForgeStore
import Foundation
import Logging
import SQLKit
@testable import FlowForgeServer

/// A fresh, migrated test database (SQLite, or PostgreSQL under `FLOWFORGE_TEST_DATABASE_URL`) for store-level
/// tests; closed and dropped afterwards.
func withMigratedDatabase(_ body: @Sendable (Database) async throws -> Void) async throws {
    try await withMigratedDatabase { database, _ in try await body(database) }
}

/// The same, also handing over the database's URL (for a test that needs a second connection pool on it).
func withMigratedDatabase(_ body: @Sendable (Database, String) async throws -> Void) async throws {
    try await withTestDatabase { database, url in
        var logger = Logger(label: "test.store")
        logger.logLevel = .warning
        try await Migrator(database: database, logger: logger).migrate()
        try await body(database, url)
    }
}

/// A fresh test database, opened as `serve` opens it but not migrated: for tests of one migration, which
/// migrate up to it, write rows as they were stored before, then run the rest. Closed and dropped afterwards,
/// also when `body` throws.
func withTestDatabase(_ body: @Sendable (Database, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = try await TestDatabase.make(in: directory)
    let configuration = try AppConfiguration.fromEnvironment(baseTestEnvironment(directory: directory, databaseURL: target.url))
    var logger = Logger(label: "test.store")
    logger.logLevel = .warning
    let database = try openDatabase(configuration, logger: logger)
    do {
        try await body(database, target.url)
    } catch {
        await database.shutdown()
        await target.drop()
        throw error
    }
    await database.shutdown()
    await target.drop()
}

/// Migrates `database` with the bundled migrations older than `version` only.
func migrate(_ database: Database, below version: Int) async throws {
    var logger = Logger(label: "test.migration")
    logger.logLevel = .warning
    let all = try Migration.bundled(for: database.dialect)
    try await Migrator(database: database, migrations: all.filter { $0.version < version }, logger: logger).migrate()
}

/// A free account with a made-up email, written straight to the table; returns its id.
func insertTestAccount(_ database: Database) async throws -> String {
    let userID = UUID().uuidString.lowercased()
    let now = Clock.nowMillis()
    try await database.withConnection { db in
        try await db.raw("""
            INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
            VALUES (\(bind: userID), \(bind: "\(userID)@example.com"), 'x', 'free', \(bind: now), \(bind: now))
            """).run()
    }
    return userID
}
