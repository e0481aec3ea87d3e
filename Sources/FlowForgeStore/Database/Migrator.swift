import Foundation
import Logging
import SQLKit

/// Applies pending migrations in version order, each in its own transaction together with its row in
/// `schema_migrations`, so a failed migration leaves nothing half-applied. Safe to run from several
/// replicas at once: PostgreSQL serialises them on an advisory lock, SQLite on its write lock.
public struct Migrator: Sendable {
    public let database: Database
    public let migrations: [Migration]
    let logger: Logger

    public init(database: Database, migrations: [Migration]? = nil, logger: Logger) throws {
        self.database = database
        self.migrations = try migrations ?? Migration.bundled(for: database.dialect)
        self.logger = logger
    }

    /// Applies what is pending and returns the versions applied now (empty when up to date).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await database.withConnection { db in
            try await db.raw("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """).run()
        }
        var applied: [Int] = []
        for migration in migrations {
            let didApply = try await database.transaction { db in
                if database.dialect == .postgres {
                    // Any constant works; it only has to be the same for every FlowForge process.
                    try await db.raw("SELECT pg_advisory_xact_lock(4242001)").run()
                }
                let existing = try await db.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                guard existing == nil else { return false }
                for statement in migration.statements {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: Clock.nowMillis()))
                    """).run()
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// Versions recorded in `schema_migrations`, ascending.
    public func appliedVersions() async throws -> [Int] {
        try await database.withConnection { db in
            try await db.raw("SELECT version FROM schema_migrations ORDER BY version").all()
                .map { try $0.decode(column: "version", as: Int.self) }
        }
    }
}
