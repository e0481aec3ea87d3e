import Foundation
import Logging

extension AppConfiguration {
    /// Reads the configuration from `environment` (normally the process environment), generating missing
    /// secrets into the data directory. Throws `ConfigurationError` naming the first bad variable.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfiguration {
        let env = EnvironmentReader(values: environment)
        let dataDirectory = URL(fileURLWithPath: env.string("FLOWFORGE_DATA_DIR") ?? ".flowforge", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw ConfigurationError(variable: "FLOWFORGE_DATA_DIR", message: "cannot create \(dataDirectory.path): \(error.localizedDescription)")
        }

        let database: DatabaseKind
        if let url = env.string("DATABASE_URL") {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url: url)
            } else if url.hasPrefix("sqlite://") {
                database = .sqlite(path: String(url.dropFirst("sqlite://".count)))
            } else {
                throw ConfigurationError(variable: "DATABASE_URL", message: "must start with postgres:// or sqlite:// (leave it unset for SQLite in FLOWFORGE_DATA_DIR)")
            }
        } else {
            database = .sqlite(path: dataDirectory.appendingPathComponent("flowforge.sqlite").path)
        }

        let secrets = GeneratedSecrets(directory: dataDirectory)
        let jwtSecret: [UInt8]
        if let value = env.string("JWT_SECRET") {
            guard value.utf8.count >= 32 else {
                throw ConfigurationError(variable: "JWT_SECRET", message: "must be at least 32 bytes long (it is \(value.utf8.count)); generate one with `openssl rand -hex 32`")
            }
            jwtSecret = Array(value.utf8)
        } else {
            jwtSecret = try secrets.value(named: "jwt_secret", variable: "JWT_SECRET")
        }
        let apiKeySalt: [UInt8]
        if let value = env.string("API_KEY_SALT") {
            guard value.utf8.count >= 16 else {
                throw ConfigurationError(variable: "API_KEY_SALT", message: "must be at least 16 bytes long; generate one with `openssl rand -hex 32`")
            }
            apiKeySalt = Array(value.utf8)
        } else {
            apiKeySalt = try secrets.value(named: "api_key_salt", variable: "API_KEY_SALT")
        }

        var oauthClients: [String: OAuthClient] = [:]
        for forge in ["GITHUB", "GITLAB", "BITBUCKET"] {
            if let id = env.string("\(forge)_CLIENT_ID"), let secret = env.string("\(forge)_CLIENT_SECRET") {
                oauthClients[forge.lowercased()] = OAuthClient(id: id, secret: secret)
            }
        }

        var configuration = AppConfiguration(
            dataDirectory: dataDirectory,
            database: database,
            databasePoolSize: try env.int("FLOWFORGE_DB_POOL_SIZE", default: 4, range: 1...100),
            jwtSecret: jwtSecret,
            apiKeySalt: apiKeySalt,
            bcryptRounds: try env.int("BCRYPT_ROUNDS", default: 12, range: 4...31),
            pipelineTimeoutMillis: try env.int("PIPELINE_TIMEOUT", default: 1_800_000, range: 1_000...86_400_000),
            maxConcurrentPipelines: try env.int("MAX_CONCURRENT_PIPELINES", default: 2, range: 1...256),
            keptWorkTrees: try env.int("FLOWFORGE_KEEP_WORKTREES", default: 0, range: 0...100_000),
            defaultDockerImage: env.string("DEFAULT_DOCKER_IMAGE") ?? "alpine:latest",
            rateLimitWindowMillis: try env.int("RATE_LIMIT_WINDOW", default: 900_000, range: 1_000...86_400_000),
            rateLimitMaxRequests: try env.int("RATE_LIMIT_MAX_REQUESTS", default: 1_000, range: 1...10_000_000),
            maxFileSize: try env.int("MAX_FILE_SIZE", default: 10_485_760, range: 1_024...1_073_741_824),
            logLevel: try env.logLevel("LOG_LEVEL"),
            apiBaseURL: try env.url("API_BASE_URL", default: "http://localhost:8080"),
            frontendURL: try env.url("FRONTEND_URL", default: "http://localhost:8080"),
            backend: try env.oneOf("FLOWFORGE_BACKEND", ["docker", "local", "auto"], default: "docker"),
            dockerHost: try env.dockerHost("DOCKER_HOST"),
            dockerNetwork: env.string("FLOWFORGE_DOCKER_NETWORK") ?? "bridge",
            podImage: env.string("FLOWFORGE_POD_IMAGE"),
            jobLeaseSeconds: try env.int("FLOWFORGE_JOB_LEASE_SECONDS", default: 30, range: 1...3600),
            allowLocalRepositories: try env.bool("FLOWFORGE_ALLOW_LOCAL_REPOS", default: false),
            webhookSecret: env.string("WEBHOOK_SECRET"),
            stripeSecretKey: env.string("STRIPE_SECRET_KEY"),
            stripeWebhookSecret: env.string("STRIPE_WEBHOOK_SECRET"),
            stripeSuccessURL: env.string("STRIPE_SUCCESS_URL"),
            stripeCancelURL: env.string("STRIPE_CANCEL_URL"),
            oauthClients: oauthClients
        )
        configuration.apiBaseURLIsDefault = env.string("API_BASE_URL") == nil
        configuration.frontendURLIsDefault = env.string("FRONTEND_URL") == nil
        try configuration.readForgeSettings(env)
        try configuration.readOAuthSettings(env)
        try configuration.readOperationsSettings(env)
        try configuration.readSecuritySettings(env, secrets: secrets)
        try configuration.readStepSettings(env)
        try configuration.readPlanSettings(env)
        try configuration.readUploadSettings(env)
        try configuration.readArtifactSettings(env)
        try configuration.validateImageSettings()
        try configuration.readLogSettings(env)
        // After the plans: each paid plan needs its Stripe price.
        try configuration.readStripeSettings(env)
        return configuration
    }
}
