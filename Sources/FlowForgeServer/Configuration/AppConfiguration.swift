import Foundation
import Logging

/// Everything FlowForge reads from its environment, parsed and checked once at start-up.
/// Every value has a working default for one machine; secrets left unset are generated once and kept in
/// the data directory (see `GeneratedSecrets`).
public struct AppConfiguration: Sendable {
    public enum DatabaseKind: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)
    }

    public var dataDirectory: URL
    public var database: DatabaseKind
    public var jwtSecret: [UInt8]
    public var apiKeySalt: [UInt8]
    public var bcryptRounds: Int
    /// Milliseconds, as the seed's `PIPELINE_TIMEOUT`.
    public var pipelineTimeoutMillis: Int
    public var maxConcurrentPipelines: Int
    public var defaultDockerImage: String
    public var rateLimitWindowMillis: Int
    public var rateLimitMaxRequests: Int
    /// Largest request body accepted, in bytes.
    public var maxFileSize: Int
    public var logLevel: Logger.Level
    public var apiBaseURL: String
    public var frontendURL: String
    public var backend: String
    public var dockerHost: String
    public var dockerNetwork: String
    /// The image of each pipeline's pod container (it only sleeps and holds the network namespace).
    public var podImage: String
    /// How long a worker's claim on a job lasts without a heartbeat; a dead worker's job is taken over after it.
    public var jobLeaseSeconds: Int
    public var allowLocalRepositories: Bool
    public var webhookSecret: String?
    public var stripeSecretKey: String?
    public var stripeWebhookSecret: String?
    public var stripeSuccessURL: String?
    public var stripeCancelURL: String?
    public var oauthClients: [String: OAuthClient]

    public struct OAuthClient: Sendable, Equatable {
        public var id: String
        public var secret: String
    }

    /// Access tokens live 15 minutes; refresh tokens 30 days.
    public var accessTokenLifetime: TimeInterval = 15 * 60
    public var refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
}
