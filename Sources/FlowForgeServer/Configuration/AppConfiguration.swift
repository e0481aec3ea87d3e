import FlowForgeCore
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
    /// PostgreSQL connections per event loop (one loop per core).
    public var databasePoolSize: Int
    public var jwtSecret: [UInt8]
    public var apiKeySalt: [UInt8]
    public var bcryptRounds: Int
    /// Milliseconds, as the seed's `PIPELINE_TIMEOUT`.
    public var pipelineTimeoutMillis: Int
    public var maxConcurrentPipelines: Int
    /// How many finished workspaces to keep, one per account and repository, so that the next checkout only
    /// rewrites what changed (`FLOWFORGE_KEEP_WORKTREES`). 0, the default, writes every workspace afresh and
    /// removes it at the end.
    public var keptWorkTrees: Int
    public var defaultDockerImage: String
    public var rateLimitWindowMillis: Int
    public var rateLimitMaxRequests: Int
    /// Largest request body accepted, in bytes.
    public var maxFileSize: Int
    public var logLevel: Logger.Level
    public var apiBaseURL: String
    public var frontendURL: String
    /// True when `API_BASE_URL` (`FRONTEND_URL`) was not set, so `serve` derives it from its address.
    public var apiBaseURLIsDefault = false
    public var frontendURLIsDefault = false
    /// `FLOWFORGE_BACKEND`: `docker`, `local` (steps as plain processes, not isolated) or `auto` (docker
    /// when its socket answers at start, else local).
    public var backend: String
    public var dockerHost: String
    public var dockerNetwork: String
    /// `FLOWFORGE_POD_IMAGE`: the image of each pipeline's pod container (it only sleeps and holds the
    /// network namespace); nil for FlowForge's built-in pod image, built locally, which needs no registry.
    public var podImage: String?
    /// How long a worker's claim on a job lasts without a heartbeat; a dead worker's job is taken over after it.
    public var jobLeaseSeconds: Int
    public var allowLocalRepositories: Bool
    public var webhookSecret: String?
    public var stripeSecretKey: String?
    public var stripeWebhookSecret: String?
    public var stripeSuccessURL: String?
    public var stripeCancelURL: String?
    public var oauthClients: [String: OAuthClient]
    /// `GITHUB_URL` and `BITBUCKET_URL`: where users authorize OAuth apps (GitHub Enterprise: its host).
    public var gitHubWebURL: String = "https://github.com"
    public var bitbucketWebURL: String = "https://bitbucket.org"
    /// Forge API roots for commit statuses (GitHub Enterprise: `https://<host>/api/v3`; GitLab: the instance root).
    public var gitHubAPIURL: String = "https://api.github.com"
    public var gitLabURL: String = "https://gitlab.com"
    /// `GITLAB_API_URL`: the root GitLab's REST API answers under (`/api/v4` is appended); defaults to
    /// `GITLAB_URL`, which is right for every GitLab unless its API sits behind another host.
    public var gitLabAPIURL: String = "https://gitlab.com"
    public var bitbucketAPIURL: String = "https://api.bitbucket.org"
    /// The GitHub App, when one is configured (`GITHUB_APP_ID` and `GITHUB_APP_PRIVATE_KEY`).
    public var gitHubApp: GitHubAppSettings?
    /// `GITHUB_APP_WEBHOOK_SECRET`: checks deliveries of App webhooks (installations and their repositories' pushes).
    public var gitHubAppWebhookSecret: String?
    /// `GITHUB_APP_SLUG`: the App's URL name (`github.com/apps/<slug>`), for its install page.
    public var gitHubAppSlug: String?
    /// First retry delay of a commit status the forge did not take; it doubles each time.
    public var statusRetryBaseMillis: Int = 1_000
    /// Shutdown grace, the reaper's interval and retention (`OperationsSettings`).
    public var operations = OperationsSettings()
    /// `FLOWFORGE_ENCRYPTION_KEY` (32 bytes): seals forge tokens and webhook secrets. Set by
    /// `readSecuritySettings`; see `AppConfiguration+Security.swift` for this group of settings.
    public var encryptionKey: [UInt8] = []
    /// `FLOWFORGE_ENCRYPTION_KEY_PREVIOUS`: keys that only open values sealed before a rotation.
    public var previousEncryptionKeys: [[UInt8]] = []
    /// `FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS`: webhook deliveries per address per `RATE_LIMIT_WINDOW`.
    public var webhookRateLimitMaxRequests: Int = 10_000
    /// `FLOWFORGE_HTTP_IDLE_TIMEOUT` (ms): an open connection with no request in flight is closed after this.
    public var httpIdleTimeoutMillis: Int = 60_000
    /// `FLOWFORGE_HTTP_HEADER_TIMEOUT` (ms): a request's head must have arrived in full within this.
    public var httpHeaderTimeoutMillis: Int = 10_000
    /// `FLOWFORGE_HTTP_MAX_CONNECTIONS`: connections beyond this are answered 503 and closed.
    public var httpMaxConnections: Int = 10_000
    /// `FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS`: connections one client address may hold open at once.
    public var httpMaxConnectionsPerAddress: Int = 256
    /// `FLOWFORGE_HTTP_BODY_TIMEOUT` (ms): from a request's complete head, its body must have arrived within this.
    public var httpBodyTimeoutMillis: Int = 60_000
    /// What each step's container may use (`FLOWFORGE_STEP_*`).
    public var stepLimits: StepLimits = .default
    /// `ALLOWED_FILE_TYPES`, `FLOWFORGE_UPLOAD_MAX_UNPACKED_BYTES`: pipelines from uploaded sources.
    public var uploads: UploadSettings = .default
    /// The bucket for artifacts and caches (`DO_SPACES_*`); nil keeps them in the data directory.
    public var objectStore: ObjectStoreSettings? = nil
    /// `FLOWFORGE_MAX_PARALLEL_STEPS`: most steps of one pipeline that run at the same time.
    public var maxParallelSteps = 4
    /// `FLOWFORGE_SERVICE_READY_TIMEOUT` (seconds): how long steps wait for the `ports` of the services.
    public var serviceReadyTimeoutSeconds = 60
    /// `FLOWFORGE_ALLOW_LOCAL_REGISTRIES`: images may come from registries on loopback or private addresses.
    public var allowLocalRegistries = false
    /// `FLOWFORGE_CHECKOUT_TIMEOUT` (seconds): longest a pipeline's fetch and checkout may take.
    public var checkoutTimeoutSeconds = 600
    /// The plans accounts choose from: the product's catalog, or `FLOWFORGE_PLANS_FILE` (see `readPlanSettings`).
    public var plans: PlanCatalog = .standard
    /// The log cap and event-stream keep-alive (`AppConfiguration+Logs.swift`).
    public var logSettings = LogSettings()
    /// Stripe billing; nil (billing off) without `STRIPE_SECRET_KEY` (see `readStripeSettings`).
    public var stripe: StripeSettings?
    /// `FLOWFORGE_BILLING_GRACE_DAYS`: days a `past_due` subscription keeps its paid plan.
    public var graceDays = 7

    public struct GitHubAppSettings: Sendable, Equatable {
        public var appID: String
        /// The App's RSA private key, PEM text.
        public var privateKeyPEM: String
    }

    public struct OAuthClient: Sendable, Equatable {
        public var id: String
        public var secret: String
    }

    /// Access tokens live 15 minutes; refresh tokens 30 days.
    public var accessTokenLifetime: TimeInterval = 15 * 60
    public var refreshTokenLifetime: TimeInterval = 30 * 24 * 3600
}
