import Foundation
import Logging
import SQLKit
import Testing
@testable import FlowForgeStore

/// Both dialects' migrations must end in the same tables and columns (and the same nullability), so code
/// written against one runs on the other. Needs PostgreSQL: CI always provides it.
@Suite("migrations")
struct SchemaParityTests {
    struct Column: Hashable, CustomStringConvertible {
        let table: String
        let column: String
        let nullable: Bool
        var description: String { "\(table).\(column)\(nullable ? "?" : "")" }
    }

    @Test(.enabled(if: TestDatabase.postgresURLForComparison != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "set FLOWFORGE_TEST_POSTGRES_URL to a PostgreSQL admin URL"))
    func sqliteAndPostgresEndWithTheSameSchema() async throws {
        let admin = try #require(TestDatabase.postgresURLForComparison, "CI must provide FLOWFORGE_TEST_POSTGRES_URL")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let logger = Logger(label: "test.schema")

        let sqlite = Database.sqlite(path: directory.appendingPathComponent("schema.sqlite").path, logger: logger)
        let sqliteApplied = try await Migrator(database: sqlite, logger: logger).migrate()
        let sqliteColumns = try await sqlite.withConnection { db in
            var columns: Set<Column> = []
            let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            for table in tables {
                let name = try table.decode(column: "name", as: String.self)
                for column in try await db.raw(SQLQueryString("PRAGMA table_info(\(name))")).all() {
                    let notNull = try column.decode(column: "notnull", as: Int.self) == 1
                    let primaryKey = try column.decode(column: "pk", as: Int.self) > 0
                    columns.insert(Column(table: name, column: try column.decode(column: "name", as: String.self), nullable: !(notNull || primaryKey)))
                }
            }
            return columns
        }
        await sqlite.shutdown()

        let name = "ff_schema_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await TestDatabase.adminQuery(admin, "CREATE DATABASE \(name)")
        let postgres = try Database.postgres(url: TestDatabase.replacingDatabase(in: admin, with: name), logger: logger)
        let postgresApplied = try await Migrator(database: postgres, logger: logger).migrate()
        // A second run finds nothing to do.
        let again = try await Migrator(database: postgres, logger: logger).migrate()
        let postgresColumns = try await postgres.withConnection { db in
            Set(try await db.raw("""
                SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'
                """).all().map { row in
                Column(table: try row.decode(column: "table_name", as: String.self),
                       column: try row.decode(column: "column_name", as: String.self),
                       nullable: try row.decode(column: "is_nullable", as: String.self) == "YES")
            })
        }
        await postgres.shutdown()
        try await TestDatabase.adminQuery(admin, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")

        #expect(sqliteApplied == postgresApplied)
        #expect(!sqliteApplied.isEmpty)
        #expect(again.isEmpty)
        #expect(sqliteColumns.subtracting(postgresColumns).isEmpty, "only in SQLite: \(sqliteColumns.subtracting(postgresColumns))")
        #expect(postgresColumns.subtracting(sqliteColumns).isEmpty, "only in PostgreSQL: \(postgresColumns.subtracting(sqliteColumns))")
        let tables = Set(sqliteColumns.map(\.table))
        for expected in ["users", "api_keys", "subscriptions", "usage", "pipelines", "refresh_tokens", "repositories", "webhook_deliveries", "jobs", "steps", "schema_migrations"] {
            #expect(tables.contains(expected), "missing table \(expected)")
        }
    }

    @Test func statementsAreSplitOutsideStrings() {
        let migration = Migration(version: 1, name: "x", sql: """
            -- a comment; with a semicolon
            CREATE TABLE a (b TEXT DEFAULT 'x;y');
            CREATE INDEX a_b ON a (b);
            """)
        #expect(migration.statements == ["CREATE TABLE a (b TEXT DEFAULT 'x;y')", "CREATE INDEX a_b ON a (b)"])
    }
}
