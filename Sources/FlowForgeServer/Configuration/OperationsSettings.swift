import FlowForgeStore

/// How the background services look after the machine: graceful shutdown, the periodic reaper, and how
/// long finished work is kept. Read from the environment by `readOperationsSettings`.
public struct OperationsSettings: Sendable, Equatable {
    /// `FLOWFORGE_SHUTDOWN_GRACE` (seconds): on SIGTERM running pipelines get this long to finish before they
    /// are stopped and their jobs handed back (without using one of their attempts).
    public var shutdownGraceSeconds: Int = 30
    /// `FLOWFORGE_REAP_INTERVAL` (seconds): how often leftovers are removed and old records pruned.
    public var reapIntervalSeconds: Int = 300
    /// `FLOWFORGE_LOG_RETENTION_DAYS`: logs of pipelines that ended longer ago are deleted (the pipeline's
    /// record stays, saying its log expired).
    public var logRetentionDays: Int = 90
    /// `FLOWFORGE_RECORD_RETENTION_DAYS`: finished jobs, answered webhook deliveries and sent or abandoned
    /// commit statuses older than this are deleted. A forge redelivering an older delivery starts a new pipeline.
    public var recordRetentionDays: Int = 30
    /// `FLOWFORGE_MIRROR_CACHE_MAX_BYTES`: when the git mirrors take more than this, the least recently used
    /// are removed (the next pipeline of such a repository fetches it again).
    public var mirrorCacheMaxBytes: Int64 = 20 * 1024 * 1024 * 1024

    /// `FLOWFORGE_SQLITE_SYNCHRONOUS` (`full` or `normal`): `full`, the default, puts every commit on disk
    /// before FlowForge acknowledges it; `normal` is faster but may lose the last commits on power loss.
    public var sqliteSynchronous: SQLiteSynchronous = .full
    /// `FLOWFORGE_SQLITE_READERS` (0–16): read-only SQLite connections beside the one writer, for the reads of
    /// hot paths (webhook lookups); 0 sends every read through the writer's connection.
    public var sqliteReaders: Int = 2
    /// `FLOWFORGE_GROUP_COMMIT` (true/false): transactions that queue behind a commit share the next one (one
    /// fsync for many): on SQLite every transaction, on PostgreSQL the pipelines one account creates (they all
    /// update its usage row). Each is still answered only once it is on disk; false commits them one by one.
    public var groupCommit: Bool = true
    /// `FLOWFORGE_POSTGRES_PREPARED_STATEMENTS` (true/false): the webhook path's two statements are named
    /// prepared statements, planned once per connection. false sends them as ordinary queries, for a pooler in
    /// front of PostgreSQL that cannot keep a connection's prepared statements (PgBouncer's transaction mode
    /// before 1.21).
    public var postgresPreparedStatements: Bool = true

    public init() {}
}

extension AppConfiguration {
    mutating func readOperationsSettings(_ env: EnvironmentReader) throws {
        operations.shutdownGraceSeconds = try env.int("FLOWFORGE_SHUTDOWN_GRACE", default: 30, range: 0...86_400)
        operations.reapIntervalSeconds = try env.int("FLOWFORGE_REAP_INTERVAL", default: 300, range: 1...86_400)
        operations.logRetentionDays = try env.int("FLOWFORGE_LOG_RETENTION_DAYS", default: 90, range: 1...36_500)
        operations.recordRetentionDays = try env.int("FLOWFORGE_RECORD_RETENTION_DAYS", default: 30, range: 1...36_500)
        operations.sqliteSynchronous = try env.oneOf("FLOWFORGE_SQLITE_SYNCHRONOUS", ["full", "normal"], default: "full") == "normal" ? .normal : .full
        operations.sqliteReaders = try env.int("FLOWFORGE_SQLITE_READERS", default: 2, range: 0...16)
        operations.groupCommit = try env.bool("FLOWFORGE_GROUP_COMMIT", default: true)
        operations.postgresPreparedStatements = try env.bool("FLOWFORGE_POSTGRES_PREPARED_STATEMENTS", default: true)
        operations.mirrorCacheMaxBytes = Int64(try env.int(
            "FLOWFORGE_MIRROR_CACHE_MAX_BYTES", default: 20 * 1024 * 1024 * 1024, range: 1_048_576...Int.max))
    }
}
