import FlowForgeStore
import Foundation
import Logging

/// The long-lived collaborators of one application instance, built once by `buildApplication` and shared by
/// every controller and background service.
struct AppServices: Sendable {
    let configuration: AppConfiguration
    let database: Database
    let users: any UserRepository
    let apiKeys: any APIKeyRepository
    let passwords: PasswordHasher
    let accessTokens: AccessTokens
    let sessions: SessionIssuer
    let throttle: LoginThrottle
    let logger: Logger

    static func make(configuration: AppConfiguration, database: Database, logger: Logger) async -> AppServices {
        let accessTokens = await AccessTokens(secret: configuration.jwtSecret, lifetime: configuration.accessTokenLifetime)
        let refreshTokens = SQLRefreshTokenRepository(database: database)
        return AppServices(
            configuration: configuration,
            database: database,
            users: SQLUserRepository(database: database),
            apiKeys: SQLAPIKeyRepository(database: database),
            passwords: PasswordHasher(rounds: configuration.bcryptRounds),
            accessTokens: accessTokens,
            sessions: SessionIssuer(accessTokens: accessTokens, refreshTokens: refreshTokens, refreshLifetime: configuration.refreshTokenLifetime),
            throttle: LoginThrottle(attempts: SQLLoginAttemptRepository(database: database)),
            logger: logger
        )
    }
}
