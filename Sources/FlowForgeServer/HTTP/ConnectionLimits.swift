import Foundation
import Synchronization

/// The HTTP server's connection limits (`FLOWFORGE_HTTP_IDLE_TIMEOUT`, `FLOWFORGE_HTTP_HEADER_TIMEOUT`,
/// `FLOWFORGE_HTTP_MAX_CONNECTIONS`), so neither idle nor half-sent connections can use up the server's file
/// descriptors.
struct ConnectionLimits: Sendable {
    /// A connection with no request in flight is closed after this.
    var idleTimeout: Duration
    /// From a connection's start, or the first byte of its next request, the request's head must have
    /// arrived in full within this.
    var headerTimeout: Duration
    /// Connections beyond this many are answered 503 and closed at once.
    var maxConnections: Int
    /// After the answer to a `Connection: close` request the server stops writing and discards what the
    /// client still sends for at most this long, so a client busy sending a body it was refused gets to read
    /// the answer (instead of a reset) and then sees the connection end.
    var lingerTimeout: Duration = .seconds(2)

    init(configuration: AppConfiguration) {
        idleTimeout = .milliseconds(configuration.httpIdleTimeoutMillis)
        headerTimeout = .milliseconds(configuration.httpHeaderTimeoutMillis)
        maxConnections = configuration.httpMaxConnections
        lingerTimeout = min(.seconds(2), headerTimeout)
    }
}

/// Open connections of one server, counted across its event loops.
final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection; false (and not counted) when `limit` are open already.
    func admit() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            open.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func release() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }

    var count: Int { open.load(ordering: .relaxed) }
}
