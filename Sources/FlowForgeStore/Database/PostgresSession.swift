import Logging
import NIOCore
import PostgresKit
import SQLKit

/// The `SQLDatabase` a PostgreSQL connection's pooled use hands out, keeping the connection itself at hand
/// for what SQLKit cannot say: a named prepared statement (`PostgresPreparedStatement`), which PostgreSQL
/// parses and plans once per connection instead of once per query. Everything else goes to `base`.
struct PostgresSession: SQLDatabase {
    let base: any SQLDatabase
    let connection: PostgresConnection
    /// `FLOWFORGE_POSTGRES_PREPARED_STATEMENTS`: false sends `run`'s statements as unnamed ones, the same text
    /// with the same values, for a pooler that cannot keep a connection's prepared statements.
    let prepares: Bool

    /// The session `db` is: every connection of a PostgreSQL `Database` is handed out as one.
    static func of(_ db: any SQLDatabase) throws -> PostgresSession {
        guard let session = db as? PostgresSession else { throw NotAPostgresSession() }
        return session
    }

    struct NotAPostgresSession: Error, CustomStringConvertible {
        var description: String { "a PostgreSQL statement was given a connection that is not PostgreSQL's" }
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await base.execute(sql: query, onRow)
    }

    /// Runs `statement` (prepared on this connection at its first use) and returns its rows.
    ///
    /// PostgresNIO remembers a failed preparation for the rest of the connection's life and fails every later
    /// use with the same error. The only failure of that kind a correct statement meets is being prepared in
    /// a transaction that an earlier statement already broke (SQLSTATE 25P02): the transaction fails either
    /// way, and the connection is closed so that the pool replaces it instead of keeping it poisoned. Callers
    /// run these statements first in their transaction, where that cannot happen; this is the net below.
    func run<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        guard prepares else {
            let query = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
            for try await row in try await connection.query(query, logger: logger) { rows.append(try statement.decodeRow(row)) }
            return rows
        }
        do {
            for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
            return rows
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25P02" {
            logger.warning("closing a connection whose prepared statement failed in a broken transaction", metadata: [
                "statement": "\(Statement.name)",
            ])
            try? await connection.close()
            throw error
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }
}
