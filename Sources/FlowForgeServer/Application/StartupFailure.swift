import FlowForgeStore
import Foundation
import NIOCore

/// Why `serve`, `worker` or `migrate` could not start, as the one line an operator reads: what failed and
/// what to do about it. The CLI prints this line and exits non-zero instead of a backtrace.
public struct StartupFailure: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// The line for any error thrown while starting (or by a server that could not bind `address`).
    public static func line(for error: any Error, address: ServerAddress? = nil) -> String {
        switch error {
        case let error as StartupFailure:
            return error.description
        case let error as ConfigurationError:
            return "configuration error: \(error.description)"
        case let error as IOError:
            return bindFailure(error, address: address) ?? "\(error)"
        default:
            return "\(error)"
        }
    }

    /// A failed `bind`, in words that say which flag to change.
    static func bindFailure(_ error: IOError, address: ServerAddress?) -> String? {
        guard let address else { return nil }
        switch error.errnoCode {
        case EADDRINUSE:
            return "port \(address.port) is in use: pass --port or stop the other process"
        case EACCES:
            return "port \(address.port) needs root to listen on: pass --port with a number above 1023"
        case EADDRNOTAVAIL:
            return "\(address.hostname) is not an address of this machine: pass --hostname 127.0.0.1 (or 0.0.0.0 for every interface)"
        default:
            return nil
        }
    }

    /// The database could not be reached or migrated.
    public static func database(_ error: any Error, configuration: AppConfiguration) -> StartupFailure {
        let reason = Database.failureReason(error)
        switch configuration.database {
        case .postgres:
            return StartupFailure("cannot open the database: \(reason): check DATABASE_URL (user, password, host, port and database name)")
        case .sqlite(let path):
            return StartupFailure("cannot open the SQLite database \(path): \(reason): check FLOWFORGE_DATA_DIR or DATABASE_URL")
        }
    }
}
