import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOPosix
import ServiceLifecycle

/// Where `serve` listens.
public struct ServerAddress: Sendable {
    public var hostname: String
    public var port: Int

    public init(hostname: String = "127.0.0.1", port: Int = 8080) {
        self.hostname = hostname
        self.port = port
    }
}

/// Opens the configured database (SQLite file or PostgreSQL URL).
public func openDatabase(_ configuration: AppConfiguration, logger: Logger) throws -> Database {
    switch configuration.database {
    case .sqlite(let path):
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true
        )
        let operations = configuration.operations
        return Database.sqlite(
            path: path, synchronous: operations.sqliteSynchronous, readers: operations.sqliteReaders,
            groupCommit: operations.groupCommit, logger: logger
        )
    case .postgres(let url):
        do {
            return try Database.postgres(
                url: url, maxConnectionsPerEventLoop: configuration.databasePoolSize,
                groupCommit: configuration.operations.groupCommit,
                preparedStatements: configuration.operations.postgresPreparedStatements, logger: logger
            )
        } catch {
            throw ConfigurationError(variable: "DATABASE_URL", message: "is not a usable PostgreSQL URL: \(error)")
        }
    }
}

/// Builds the whole application: opens the database, applies pending migrations and mounts every route.
/// `main` and the tests both call this, so tests exercise exactly what runs in production.
public func buildApplication(
    configuration: AppConfiguration, address: ServerAddress = .init(), logger: Logger? = nil
) async throws -> some ApplicationProtocol {
    let services = try await openServices(configuration: configuration, logger: logger)
    let router = buildRouter(services: services, docs: try await DocsSite.load(logger: services.logger))
    let limits = ConnectionLimits(configuration: configuration)
    let connections = ConnectionCounter(limit: limits.maxConnections, limitPerAddress: limits.maxConnectionsPerAddress)
    var app = Application(
        router: router,
        server: HTTPServerBuilder { responder in GuardedHTTP1Channel(responder: responder, limits: limits, counter: connections) },
        configuration: .init(address: .hostname(address.hostname, port: address.port), serverName: "FlowForge"),
        logger: services.logger
    )
    app.addServices(services.backgroundServices())
    return app
}

/// The background half alone, for `flowforge worker`: pipeline workers and the status outbox, no HTTP server.
/// Run several of these beside `serve` replicas on one PostgreSQL to scale builds out.
public func buildWorker(configuration: AppConfiguration, logger: Logger? = nil) async throws -> ServiceGroup {
    let services = try await openServices(configuration: configuration, logger: logger)
    return ServiceGroup(configuration: .init(
        services: services.backgroundServices(), gracefulShutdownSignals: [.sigterm, .sigint], logger: services.logger
    ))
}

/// Opens the database, applies pending migrations and builds the shared collaborators.
func openServices(configuration: AppConfiguration, logger: Logger?) async throws -> AppServices {
    var logger = logger ?? Logger(label: "flowforge")
    logger.logLevel = configuration.logLevel
    let database = try openDatabase(configuration, logger: logger)
    do {
        try await database.checkConnection()
        try await Migrator(database: database, logger: logger).migrate()
    } catch {
        // A pool must be closed before it goes away, also when start-up fails here.
        await database.shutdown()
        throw StartupFailure.database(error, configuration: configuration)
    }
    return await AppServices.make(configuration: configuration, database: database, logger: logger)
}

extension AppServices {
    /// Services stop in reverse order: the workers drain first (finishing or handing back their pipelines),
    /// then the status sender, and the pool closes last, after every write.
    func backgroundServices() -> [any Service] {
        [DatabaseShutdownService(database: database, threadPools: [gitThreadPool]), housekeepingService(), statusOutboxService(), workerService()]
    }
}

/// Closes the connection pool and the thread pools when the service group stops, after the HTTP server and
/// every other service have finished.
struct DatabaseShutdownService: Service {
    let database: Database
    let threadPools: [NIOThreadPool]

    func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
        for pool in threadPools { try? await pool.shutdownGracefully() }
    }
}
