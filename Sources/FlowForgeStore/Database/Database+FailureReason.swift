import Logging
import PostgresKit

extension Database {
    /// One line saying why the database could not be reached or used, for start-up failures.
    ///
    /// postgres-nio hides every detail behind a generic description (so that a server error never reaches an
    /// end user by accident); an operator starting the server needs the server's own reason, such as
    /// `password authentication failed for user "ci"`, so it is taken from the error's fields here. Nothing
    /// of the URL (and so no password) is part of the line.
    public static func failureReason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return "PostgreSQL refused: \(message)\(code)"
            }
            if let underlying = error.underlying {
                return "cannot connect to PostgreSQL: \(underlying)"
            }
            return "PostgreSQL error: \(error.code)"
        }
        return String(describing: error)
    }
}

extension Database {
    /// Opens one connection and hands it back, throwing the driver's error when the database cannot be
    /// reached or refuses the credentials. Start-up calls this before anything else touches the database.
    ///
    /// The pool logs every failed connection attempt by itself; for this one request its logger is quiet,
    /// because the caller reports the failure once, in its own words (see `failureReason`).
    public func checkConnection() async throws {
        var quiet = logger
        quiet.logLevel = .critical
        switch pool {
        case .sqlite(let shared):
            let connection = try await shared.pool.requestConnection(logger: quiet).get()
            shared.pool.releaseConnection(connection, logger: quiet)
        case .postgres(let shared):
            let connection = try await shared.pool.requestConnection(logger: quiet).get()
            shared.pool.releaseConnection(connection, logger: quiet)
        }
    }
}
