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
    /// SQLite only: read-only connections on threads of their own, for `read`.
    let readPool: SharedPool<TunedSQLiteSource>?
    /// SQLite's own blocking-I/O threads, stopped with the pools.
    let threadPools: [NIOThreadPool]
    /// SQLite only: runs tasks on the writer connection's one thread (see `groupExecutor`).
    let writerExecutor: ThreadPoolTaskExecutor?
    /// PostgreSQL only: whether a `PostgresSession` prepares its statements (see `postgres(url:…)`).
    let preparedStatements: Bool
    /// Transactions that share their commits under load (see `CommitGroup`): on SQLite every transaction
    /// (unless turned off), on PostgreSQL those of `transaction(groupedBy:)`.
    let commitGroup: CommitGroup?
    let logger: Logger

    /// Opens (creating if needed) the SQLite file at `path`.
    ///
    /// One connection for everything that may write, on its own thread: SQLite allows one writer at a time
    /// anyway, and with several connections a writer waiting on `busy_timeout` blocks a shared thread-pool
    /// thread that the lock holder may need to commit, so under load everything stalls. One connection
    /// serialises work in the pool instead. `readers` more connections, query-only and on threads of their own,
    /// serve `read`: in WAL mode a reader never waits for the writer, not even while it commits.
    public static func sqlite(
        path: String, synchronous: SQLiteSynchronous = .full, readers: Int = 2, groupCommit: Bool = true, logger: Logger
    ) -> Database {
        let configuration = SQLiteConfiguration(storage: .file(path: path), enableForeignKeys: true)
        let writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        let source = TunedSQLiteSource(
            inner: SQLiteConnectionSource(configuration: configuration, threadPool: writerThread), synchronous: synchronous
        )
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 1, requestTimeout: .seconds(30), logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.next()
        )
        var readPool: SharedPool<TunedSQLiteSource>?
        var readerThreads: [NIOThreadPool] = []
        if readers > 0 {
            let threadPool = NIOThreadPool(numberOfThreads: readers)
            threadPool.start()
            readerThreads.append(threadPool)
            let readSource = TunedSQLiteSource(
                inner: SQLiteConnectionSource(configuration: configuration, threadPool: threadPool), synchronous: synchronous, readOnly: true
            )
            readPool = SharedPool(pool: EventLoopGroupConnectionPool(
                source: readSource, maxConnectionsPerEventLoop: readers, requestTimeout: .seconds(30), logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.next()
            ))
        }
        return Database(
            dialect: .sqlite, pool: .sqlite(SharedPool(pool: pool)), readPool: readPool,
            commitGroup: groupCommit ? CommitGroup(begin: "BEGIN IMMEDIATE") : nil, threadPools: [writerThread] + readerThreads,
            writerExecutor: ThreadPoolTaskExecutor(writerThread), preparedStatements: false, logger: logger
        )
    }

    /// Connects to PostgreSQL at a `postgres://user:pass@host:port/db` URL.
    /// With `groupCommit`, `transaction(groupedBy:)` groups the transactions of one key (see `CommitGroup`).
    /// Bodies get a `PostgresSession`, through which the hot statements run: as named prepared statements with
    /// `preparedStatements`, else as unnamed ones, like every other statement.
    public static func postgres(
        url: String, maxConnectionsPerEventLoop: Int = 4, groupCommit: Bool = true, preparedStatements: Bool = true, logger: Logger
    ) throws -> Database {
        let configuration = try SQLPostgresConfiguration(url: url)
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: maxConnectionsPerEventLoop,
            logger: logger,
            on: MultiThreadedEventLoopGroup.singleton
        )
        return Database(
            dialect: .postgres, pool: .postgres(SharedPool(pool: pool)), readPool: nil,
            commitGroup: groupCommit ? CommitGroup(begin: "BEGIN") : nil, threadPools: [], writerExecutor: nil,
            preparedStatements: preparedStatements, logger: logger
        )
    }

    init(
        dialect: SQLDialectKind, pool: Pool, readPool: SharedPool<TunedSQLiteSource>?, commitGroup: CommitGroup?,
        threadPools: [NIOThreadPool], writerExecutor: ThreadPoolTaskExecutor?, preparedStatements: Bool, logger: Logger
    ) {
        self.preparedStatements = preparedStatements
        self.writerExecutor = writerExecutor
        self.dialect = dialect
        self.pool = pool
        self.readPool = readPool
        self.threadPools = threadPools
        self.commitGroup = commitGroup
        self.logger = logger
    }

    /// Runs `body` with one pooled connection, returning it to the pool afterwards.
    public func withConnection<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection(on: nil, body)
    }

    /// An event loop whose pooled connections `withConnection(on:)` can use: the SQLite writer's own, or the
    /// next of PostgreSQL's.
    func connectionLoop() -> any EventLoop {
        switch pool {
        case .sqlite(let shared): shared.pool.eventLoopGroup.any()
        case .postgres(let shared): shared.pool.eventLoopGroup.next()
        }
    }

    /// Where a commit group's chain of statements runs, and the loop whose connection it uses: on SQLite the
    /// writer connection's own thread, so a statement's answer and the next statement need no thread switch;
    /// on PostgreSQL the connection's event loop, where its answers are read.
    func groupExecutor() -> (executor: any TaskExecutor, loop: any EventLoop) {
        let loop = connectionLoop()
        if let writerExecutor { return (writerExecutor, loop) }
        return (EventLoopTaskExecutor(loop), loop)
    }

    /// `withConnection` with a connection of `loop` (one from `connectionLoop()`), or any when nil.
    func withConnection<T: Sendable>(on loop: (any EventLoop)?, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch pool {
        case .sqlite(let shared):
            let pool = shared.pool
            let connection = try await pool.requestConnection(logger: logger, on: loop).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: .trace))
        case .postgres(let shared):
            let pool = shared.pool
            let connection = try await pool.requestConnection(logger: logger, on: loop).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(PostgresSession(
                base: connection.sql(queryLogLevel: .trace), connection: connection, prepares: preparedStatements
            ))
        }
    }

    /// Runs `body`, which only reads, with a pooled connection. It sees every transaction committed before it
    /// starts (never a stale state): on SQLite a query-only connection of its own that need not wait for the
    /// writer's queue; on PostgreSQL the shared pool. A write in `body` fails on SQLite.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        guard let readPool else { return try await withConnection(body) }
        let pool = readPool.pool
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await body(connection.sql(queryLogLevel: .trace))
    }

    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws; it
    /// returns only once its writes are committed (on disk, as the database's durability setting says).
    ///
    /// On SQLite, transactions that arrive while another commits are grouped into one SQLite transaction
    /// (`CommitGroup`): each runs inside its own savepoint, so its writes are undone alone when it throws,
    /// and they share one COMMIT. `body` must therefore not commit, roll back or begin anything itself. SQLite transactions start IMMEDIATE so two writers wait on `busy_timeout` instead of failing
    /// with SQLITE_BUSY when a read lock is upgraded.
    ///
    /// The transaction runs in a task of its own, so cancelling the caller cannot skip the COMMIT or ROLLBACK
    /// and hand the pooled connection back with a transaction still open.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        if dialect == .sqlite, let commitGroup { return try await commitGroup.transaction(on: self, key: "", body) }
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

    /// `transaction` for transactions that all update one row of `key` (an account's usage counter) and so
    /// would wait for each other's row lock through each COMMIT: on PostgreSQL those of one key that arrive
    /// while another commits run together in one transaction, each in its own savepoint, sharing one COMMIT
    /// (`CommitGroup`); other keys commit in parallel. On SQLite it is `transaction`. Same guarantees.
    public func transaction<T: Sendable>(
        groupedBy key: String, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        guard dialect == .postgres, let commitGroup else { return try await transaction(body) }
        return try await commitGroup.transaction(on: self, key: key, body)
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
        // Queued group members hold no connection yet: let them finish before the pools close.
        await commitGroup?.close()
        switch pool {
        case .sqlite(let shared): try? await shared.pool.shutdownAsync()
        case .postgres(let shared): try? await shared.pool.shutdownAsync()
        }
        try? await readPool?.pool.shutdownAsync()
        for threadPool in threadPools { try? await threadPool.shutdownGracefully() }
    }
}
