import PostgresNIO
import SQLiteNIO

/// Runs `body`, turning either engine's unique-violation error into `StoreError.conflict`.
func mapConflict<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
        throw StoreError.conflict
    } catch let error as SQLiteError where error.isUniqueViolation {
        throw StoreError.conflict
    }
}

extension SQLiteError {
    var isUniqueViolation: Bool {
        switch reason {
        case .constraintUniqueFailed, .constraintPrimaryKeyFailed: true
        // Without extended result codes SQLite only says "constraint"; its message names the kind.
        case .constraint: message.contains("UNIQUE")
        default: false
        }
    }
}
