import Foundation
import Synchronization

/// The HTTP server's connection limits (`FLOWFORGE_HTTP_IDLE_TIMEOUT`, `FLOWFORGE_HTTP_HEADER_TIMEOUT`,
/// `FLOWFORGE_HTTP_BODY_TIMEOUT`, `FLOWFORGE_HTTP_MAX_CONNECTIONS`, `FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS`),
/// so neither idle nor half-sent connections, nor one client opening many, can use up the server's file
/// descriptors.
struct ConnectionLimits: Sendable {
    /// A connection with no request in flight is closed after this.
    var idleTimeout: Duration
    /// From a connection's start, or the first byte of its next request, the request's head must have
    /// arrived in full within this.
    var headerTimeout: Duration
    /// From a request's complete head, its body must have arrived in full within this.
    var bodyTimeout: Duration
    /// Connections beyond this many are answered 503 and closed at once.
    var maxConnections: Int
    /// Connections from one address beyond this many are answered 503 and closed at once.
    var maxConnectionsPerAddress: Int
    /// After the answer to a `Connection: close` request the server stops writing and discards what the
    /// client still sends for at most this long, so a client busy sending a body it was refused gets to read
    /// the answer (instead of a reset) and then sees the connection end.
    var lingerTimeout: Duration = .seconds(2)

    init(configuration: AppConfiguration) {
        idleTimeout = .milliseconds(configuration.httpIdleTimeoutMillis)
        headerTimeout = .milliseconds(configuration.httpHeaderTimeoutMillis)
        bodyTimeout = .milliseconds(configuration.httpBodyTimeoutMillis)
        maxConnections = configuration.httpMaxConnections
        maxConnectionsPerAddress = configuration.httpMaxConnectionsPerAddress
        lingerTimeout = min(.seconds(2), headerTimeout)
    }
}
