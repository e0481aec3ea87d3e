import AsyncKit
import Logging
import NIOCore
import SQLiteKit

/// Opens SQLite connections set up for a server: WAL so readers do not block the writer,
/// a busy timeout so concurrent writers wait instead of failing, and foreign keys on.
///
/// `synchronous = FULL` by default: each commit reaches the disk before it returns, so whatever FlowForge
/// acknowledged (a webhook's 2xx, a pipeline's final state) survives a power loss. NORMAL in WAL mode can
/// lose the last commits then; it is faster, and an operator may choose it knowingly.
struct TunedSQLiteSource: ConnectionPoolSource {
    let inner: SQLiteConnectionSource
    var synchronous: SQLiteSynchronous = .full
    /// A reader beside the one writer: `query_only`, so a write through it fails instead of competing for
    /// the write lock; the file's WAL mode was set by the writer, which opens first (migrations).
    var readOnly = false

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        if readOnly {
            return inner.makeConnection(logger: logger, on: eventLoop).flatMap { connection in
                connection.query("PRAGMA busy_timeout = 10000")
                    .flatMap { _ in connection.query("PRAGMA query_only = ON") }
                    .map { _ in connection }
            }
        }
        return inner.makeConnection(logger: logger, on: eventLoop).flatMap { connection in
            connection.query("PRAGMA journal_mode = WAL")
                .flatMap { _ in connection.query("PRAGMA busy_timeout = 10000") }
                .flatMap { _ in connection.query("PRAGMA synchronous = \(synchronous.rawValue)") }
                .map { _ in connection }
        }
    }
}

/// SQLite's `synchronous` setting, as FlowForge offers it (`FLOWFORGE_SQLITE_SYNCHRONOUS`).
public enum SQLiteSynchronous: String, Sendable, CaseIterable {
    /// Every commit is on disk before it returns.
    case full = "FULL"
    /// In WAL mode, the last commits before a power loss (not a crash of FlowForge) may be lost.
    case normal = "NORMAL"
}
