import Hummingbird
import Logging
import ServiceLifecycle

/// Runs `flowforge serve` until SIGTERM or SIGINT: the HTTP server and the background services in one
/// service group.
///
/// Unlike `buildApplication` (where the background services run inside the application's own group, which
/// cancels everything at once when one service fails), a server that cannot start (its port taken, say)
/// shuts the group down gracefully here: the workers and the status sender stop first, and the database pool
/// closes last, after every connection is back. Cancelling them all together closed the pool under a worker's
/// feet and crashed the process on a connection that was never closed.
public func serve(configuration: AppConfiguration, address: ServerAddress, logger: Logger? = nil) async throws {
    let services = try await openServices(configuration: configuration.listening(on: address), logger: logger)
    if configuration.apiBaseURLIsDefault {
        services.logger.notice(
            "API_BASE_URL is not set: webhook_url and other links use the listening address; set API_BASE_URL to the public URL before connecting a forge",
            metadata: ["api_base_url": "\(services.configuration.apiBaseURL)"]
        )
    }
    let app = Application(
        router: buildRouter(services: services, docs: try await DocsSite.load(logger: services.logger)),
        configuration: .init(address: .hostname(address.hostname, port: address.port), serverName: "FlowForge"),
        logger: services.logger
    )
    var members = services.backgroundServices().map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
    // Last in the list, so first to stop on a signal: the server drains before the workers and the pool go.
    members.append(.init(service: app, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
    let group = ServiceGroup(configuration: .init(
        services: members, gracefulShutdownSignals: [.sigterm, .sigint], logger: services.logger
    ))
    try await group.run()
}
