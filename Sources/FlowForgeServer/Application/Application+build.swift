import FlowForgeStore
import Foundation
import Hummingbird
import Logging
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
        return Database.sqlite(path: path, logger: logger)
    case .postgres(let url):
        do {
            return try Database.postgres(url: url, maxConnectionsPerEventLoop: configuration.databasePoolSize, logger: logger)
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
    var logger = logger ?? Logger(label: "flowforge")
    logger.logLevel = configuration.logLevel
    let database = try openDatabase(configuration, logger: logger)
    do {
        try await Migrator(database: database, logger: logger).migrate()
    } catch {
        // A pool must be closed before it goes away, also when start-up fails here.
        await database.shutdown()
        throw error
    }

    let services = await AppServices.make(configuration: configuration, database: database, logger: logger)
    let router = buildRouter(services: services)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(address.hostname, port: address.port), serverName: "FlowForge"),
        logger: logger
    )
    // Services stop in reverse order: the workers finish their writes before the pool closes.
    app.addServices(DatabaseShutdownService(database: database), services.workerService(), services.statusOutboxService())
    return app
}

/// Closes the connection pool when the service group stops, after the HTTP server has drained.
struct DatabaseShutdownService: Service {
    let database: Database

    func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}
