import Foundation
import Logging
import PostgresKit
@testable import FlowForgeStore

/// Where the server tests keep their data. The suite runs on SQLite unless `FLOWFORGE_TEST_DATABASE_URL`
/// names a PostgreSQL server (an admin connection that may create databases); then every test gets its own
/// fresh database there, dropped afterwards, so tests run in parallel without seeing each other.
enum TestDatabase {
    static var postgresAdminURL: String? {
        guard let url = ProcessInfo.processInfo.environment["FLOWFORGE_TEST_DATABASE_URL"], !url.isEmpty else { return nil }
        return url
    }

    /// A PostgreSQL admin URL for tests that need PostgreSQL whichever database the suite runs on (the
    /// schema comparison): `FLOWFORGE_TEST_POSTGRES_URL`, else `FLOWFORGE_TEST_DATABASE_URL`.
    static var postgresURLForComparison: String? {
        if let url = ProcessInfo.processInfo.environment["FLOWFORGE_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        return postgresAdminURL
    }

    static var dialectName: String { postgresAdminURL == nil ? "sqlite" : "postgres" }

    /// A `DATABASE_URL` for one test: a new SQLite file under `directory`, or a new PostgreSQL database.
    static func make(in directory: URL) async throws -> (url: String, drop: @Sendable () async -> Void) {
        guard let admin = postgresAdminURL else {
            return ("sqlite://" + directory.appendingPathComponent("test.sqlite").path, {})
        }
        let name = "ff_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await adminQuery(admin, "CREATE DATABASE \(name)")
        let url = replacingDatabase(in: admin, with: String(name))
        return (url, { try? await adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }

    static func adminQuery(_ url: String, _ sql: String) async throws {
        let database = try Database.postgres(url: url, maxConnectionsPerEventLoop: 1, logger: Logger(label: "test.admin"))
        defer { Task { await database.shutdown() } }
        try await database.withConnection { db in try await db.raw(SQLQueryString(sql)).run() }
    }

    /// `postgres://u:p@h:5432/admin?x` → `postgres://u:p@h:5432/<name>?x`
    static func replacingDatabase(in url: String, with name: String) -> String {
        var components = URLComponents(string: url)!
        components.path = "/" + name
        return components.string!
    }
}
