import AsyncHTTPClient
import FlowForgeGit
import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import NIOPosix

/// The long-lived collaborators of one application instance, built once by `buildApplication` and shared by
/// every controller and background service.
struct AppServices: Sendable {
    /// The workers, built from the same collaborators the routes use (tests may put a queue in between).
    func workerService(jobs: (any JobQueue)? = nil) -> PipelineWorkerService {
        var executor = PipelineExecutor(
            pipelines: pipelines, logs: logs, backend: backend, git: git,
            workspaceRoot: configuration.dataDirectory.appendingPathComponent("workspaces", isDirectory: true),
            defaultImage: configuration.defaultDockerImage,
            pipelineTimeout: .milliseconds(configuration.pipelineTimeoutMillis),
            maxAttempts: 3, lifecycle: lifecycle,
            cloneCredentials: CloneCredentials(
                repositories: connectedRepositories, installations: gitHubInstallations,
                installationTokens: installationTokens, secretBox: secretBox
            ),
            logger: logger,
            stepLimits: configuration.stepLimits,
            maxParallelSteps: configuration.maxParallelSteps,
            registryPolicy: ImageRegistryPolicy(allowLocal: configuration.allowLocalRegistries),
            uploads: uploads,
            maxLogBytes: configuration.logSettings.maxLogBytes
        )
        executor.secrets = PipelineSecrets(secrets: secrets, box: secretBox)
        executor.plans = configuration.plans
        executor.serviceReadyTimeout = .seconds(configuration.serviceReadyTimeoutSeconds)
        executor.users = users
        executor.artifacts = artifactCollector
        executor.cache = pipelineCache
        return PipelineWorkerService(
            jobs: jobs ?? self.jobs, pipelines: pipelines, executor: executor, signal: signal,
            slots: configuration.maxConcurrentPipelines, lease: .seconds(configuration.jobLeaseSeconds),
            pollInterval: .seconds(1), cancelPollInterval: .seconds(1),
            drain: DrainSignal(grace: .seconds(configuration.operations.shutdownGraceSeconds)), logger: logger
        )
    }

    /// The periodic reaper and retention sweep.
    func housekeepingService() -> HousekeepingService {
        HousekeepingService(
            backend: backend, pipelines: pipelines, retention: SQLRetentionRepository(database: database), logs: logs, git: git,
            workspaceRoot: configuration.dataDirectory.appendingPathComponent("workspaces", isDirectory: true),
            settings: configuration.operations, logger: logger,
            billing: configuration.stripe == nil ? nil : SQLBillingRepository(database: database), graceDays: configuration.graceDays,
            artifacts: artifacts, artifactStore: artifactStore)
    }

    let configuration: AppConfiguration
    let database: Database
    let users: any UserRepository
    let apiKeys: any APIKeyRepository
    let passwords: PasswordHasher
    let accessTokens: AccessTokens
    let sessions: SessionIssuer
    let throttle: LoginThrottle
    let pipelines: any PipelineRepository
    let jobs: any JobQueue
    let logs: any LogStore
    let backend: any Backend
    let git: GitMirrorCache
    /// Runs libgit2's blocking fetches and checkouts. Its own threads: on the shared pool two slow fetches
    /// would hold up every log write and password check behind them. Stopped with the database.
    let gitThreadPool: NIOThreadPool
    let signal: JobSignal
    let lifecycle: any PipelineLifecycleObserver
    /// Commit statuses waiting for their forge, and the signal that wakes their sender.
    let statusOutbox: any StatusOutboxRepository
    let statusSignal: JobSignal
    /// Present when a GitHub App is configured.
    let installationTokens: GitHubInstallationTokens?
    let logger: Logger

    var launcher: PipelineLauncher {
        PipelineLauncher(pipelines: pipelines, users: users, plans: configuration.plans, signal: signal, lifecycle: lifecycle)
    }

    static func make(configuration: AppConfiguration, database: Database, logger: Logger) async -> AppServices {
        let accessTokens = await AccessTokens(secret: configuration.jwtSecret, lifetime: configuration.accessTokenLifetime)
        let refreshTokens = SQLRefreshTokenRepository(database: database)
        let statusOutbox = SQLStatusOutboxRepository(database: database)
        let statusSignal = JobSignal()
        let gitThreadPool = NIOThreadPool(numberOfThreads: max(2, configuration.maxConcurrentPipelines))
        gitThreadPool.start()
        return AppServices(
            configuration: configuration,
            database: database,
            users: SQLUserRepository(database: database),
            apiKeys: SQLAPIKeyRepository(database: database),
            passwords: PasswordHasher(rounds: configuration.bcryptRounds),
            accessTokens: accessTokens,
            sessions: SessionIssuer(accessTokens: accessTokens, refreshTokens: refreshTokens, refreshLifetime: configuration.refreshTokenLifetime),
            throttle: LoginThrottle(attempts: SQLLoginAttemptRepository(database: database)),
            pipelines: SQLPipelineRepository(database: database),
            jobs: SQLJobQueue(database: database, buildLimits: ConcurrentBuildLimits(configuration.plans)),
            logs: FileLogStore(root: configuration.dataDirectory.appendingPathComponent("logs", isDirectory: true)),
            backend: chooseBackend(configuration, logger: logger),
            git: GitMirrorCache(
                root: configuration.dataDirectory.appendingPathComponent("mirrors", isDirectory: true), logger: logger,
                threadPool: gitThreadPool,
                workTrees: WorkTreeCache(
                    root: configuration.dataDirectory.appendingPathComponent("worktrees", isDirectory: true),
                    capacity: configuration.keptWorkTrees),
                checkoutTimeout: .seconds(configuration.checkoutTimeoutSeconds),
                allowLocalAddresses: configuration.allowLocalRepositories),
            gitThreadPool: gitThreadPool,
            signal: JobSignal(),
            lifecycle: StatusPublisher(outbox: statusOutbox, frontendURL: configuration.frontendURL, signal: statusSignal, logger: logger),
            statusOutbox: statusOutbox,
            statusSignal: statusSignal,
            installationTokens: await GitHubInstallationTokens.make(configuration: configuration, logger: logger),
            logger: logger
        )
    }
}
