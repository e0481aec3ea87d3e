import AsyncKit
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit

/// The SQL dialect a `Database` speaks; repositories use it where the two engines differ
/// (row locking, upsert syntax).
public enum SQLDialectKind: String, Sendable {
    case sqlite
    case postgres
}

/// A pool of connections to SQLite or PostgreSQL, behind one async API.
///
/// Every query goes through `withConnection` or `transaction`; neither may be nested inside the other
/// (a nested call would wait for a second connection while holding the first, which can deadlock SQLite's
/// one-connection-per-loop pool).
public final class Database: Sendable {
    enum Pool: Sendable {
        case sqlite(SharedPool<TunedSQLiteSource>)
        case postgres(SharedPool<PostgresConnectionSource>)
    }

    /// async-kit's pool is not marked Sendable, yet it is safe to share: the group pool guards its table with a
    /// lock and each per-loop pool hops onto its own event loop before touching its state.
    struct SharedPool<Source: ConnectionPoolSource>: @unchecked Sendable {
        let pool: EventLoopGroupConnectionPool<Source>
    }

    public let dialect: SQLDialectKind
    let pool: Pool
    /// SQLite's own blocking-I/O thread, stopped with the pool.
    let threadPool: NIOThreadPool?
    let logger: Logger

    /// Opens (creating if needed) the SQLite file at `path`.
    ///
    /// One connection, on its own thread: SQLite allows one writer at a time anyway, and with several
    /// connections a writer waiting on `busy_timeout` blocks a shared thread-pool thread that the lock holder
    /// may need to commit, so under load everything stalls. One connection serialises work in the pool instead.
    public static func sqlite(path: String, synchronous: SQLiteSynchronous = .full, logger: Logger) -> Database {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let source = TunedSQLiteSource(
            inner: SQLiteConnectionSource(configuration: .init(storage: .file(path: path), enableForeignKeys: true), threadPool: threadPool),
            synchronous: synchronous
        )
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 1, requestTimeout: .seconds(30), logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.next()
        )
        return Database(dialect: .sqlite, pool: .sqlite(SharedPool(pool: pool)), threadPool: threadPool, logger: logger)
    }

    /// Connects to PostgreSQL at a `postgres://user:pass@host:port/db` URL.
    public static func postgres(url: String, maxConnectionsPerEventLoop: Int = 4, logger: Logger) throws -> Database {
        let configuration = try SQLPostgresConfiguration(url: url)
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        return Database(dialect: .postgres, pool: .postgres(SharedPool(pool: pool)), threadPool: nil, logger: logger)
    }

    init(dialect: SQLDialectKind, pool: Pool, threadPool: NIOThreadPool?, logger: Logger) {
        self.dialect = dialect
        self.pool = pool
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Runs `body` with one pooled connection, returning it to the pool afterwards.
    public func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch pool {
        case .sqlite(let shared):
            let pool = shared.pool
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: .trace))
        case .postgres(let shared):
            let pool = shared.pool
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    /// SQLite transactions start IMMEDIATE so two writers wait on `busy_timeout` instead of failing
    /// with SQLITE_BUSY when a read lock is upgraded.
    ///
    /// The transaction runs in a task of its own, so cancelling the caller cannot skip the COMMIT or ROLLBACK
    /// and hand the pooled connection back with a transaction still open.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let dialect = self.dialect
        return try await Task {
            try await withConnection { db in
                try await db.raw(dialect == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
                do {
                    let result = try await body(db)
                    try await db.raw("COMMIT").run()
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }.value
    }

    /// True when a trivial query succeeds; used by `/readyz`.
    public func ping() async -> Bool {
        do {
            return try await withConnection { db in
                try await db.raw("SELECT 1 AS one").first() != nil
            }
        } catch {
            return false
        }
    }

    public func shutdown() async {
        switch pool {
        case .sqlite(let shared): try? await shared.pool.shutdownAsync()
        case .postgres(let shared): try? await shared.pool.shutdownAsync()
        }
        try? await threadPool?.shutdownGracefully()
    }
}
