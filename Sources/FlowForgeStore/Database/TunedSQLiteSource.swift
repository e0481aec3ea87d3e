import AsyncKit
import Logging
import NIOCore
import SQLiteKit

/// Opens SQLite connections set up for a server: WAL so readers do not block the writer,
/// a busy timeout so concurrent writers wait instead of failing, and foreign keys on.
struct TunedSQLiteSource: ConnectionPoolSource {
    let inner: SQLiteConnectionSource

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        inner.makeConnection(logger: logger, on: eventLoop).flatMap { connection in
            connection.query("PRAGMA journal_mode = WAL")
                .flatMap { _ in connection.query("PRAGMA busy_timeout = 10000") }
                .flatMap { _ in connection.query("PRAGMA synchronous = NORMAL") }
                .map { _ in connection }
        }
    }
}
