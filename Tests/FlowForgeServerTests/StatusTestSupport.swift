import FlowForgeTestSupport
import Foundation
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// A migrated database (SQLite, or PostgreSQL under `FLOWFORGE_TEST_DATABASE_URL`) holding one account,
/// one connected repository per forge (each with a sealed access token) and a pipeline per repository,
/// for tests of the outbox and its sender without running pipelines.
struct StatusStoreFixture: Sendable {
    let database: Database
    let outbox: SQLStatusOutboxRepository
    let secretBox = SecretBox(key: Array("status-tests-encryption-key-32-b".utf8))
    /// provider → repository id
    let repositories: [String: String]
    /// provider → pipeline id
    let pipelines: [String: String]
    /// The account owning every repository and pipeline.
    let userID: String
    static let fullNames = ["github": "octo/app", "gitlab": "group/sub/app", "bitbucket": "team/app"]
    static let token = "forge-token-123"

    static func with(_ body: @Sendable (StatusStoreFixture) async throws -> Void) async throws {
        try await withMigratedDatabase { database in
            let box = SecretBox(key: Array("status-tests-encryption-key-32-b".utf8))
            var repositories: [String: String] = [:], pipelines: [String: String] = [:]
            let userID = try await insertTestAccount(database)
            let now = Clock.nowMillis()
            for (provider, fullName) in fullNames {
                let repositoryID = UUID().uuidString.lowercased(), pipelineID = UUID().uuidString.lowercased()
                let sealed = try box.seal(token, purpose: ConnectedRepository.accessTokenPurpose(id: repositoryID))
                try await database.withConnection { db in
                    try await db.raw("""
                        INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, access_token_encrypted, created_at)
                        VALUES (\(bind: repositoryID), \(bind: userID), \(bind: provider), \(bind: fullName), 'https://forge.invalid/x.git', 'unused', \(bind: sealed), \(bind: now))
                        """).run()
                    try await db.raw("""
                        INSERT INTO pipelines (id, user_id, repository_id, repo_url, branch, commit_sha, event, status, created_at)
                        VALUES (\(bind: pipelineID), \(bind: userID), \(bind: repositoryID), 'https://forge.invalid/x.git', 'main', 'abc123', 'push', 'pending', \(bind: now))
                        """).run()
                }
                repositories[provider] = repositoryID
                pipelines[provider] = pipelineID
            }
            let fixture = StatusStoreFixture(
                database: database, outbox: SQLStatusOutboxRepository(database: database), repositories: repositories, pipelines: pipelines,
                userID: userID
            )
            try await body(fixture)
        }
    }

    /// An outbox row for `provider`'s pipeline.
    func status(_ provider: String, state: String = "pending", sequence: Int64 = 0, sha: String = "abc123", description: String = "Queued") -> NewOutboxStatus {
        NewOutboxStatus(
            pipelineID: pipelines[provider]!, repositoryID: repositories[provider]!, provider: provider,
            repositoryFullName: Self.fullNames[provider]!, sha: sha, context: "flowforge/ci/push", sequence: sequence,
            state: state, description: description, targetURL: "http://localhost:8080/dashboard/pipelines/\(pipelines[provider]!)"
        )
    }

    /// A sender service posting to `forge`, with tiny backoff so retries are quick.
    func service(forge: FakeForge, tokens: GitHubInstallationTokens? = nil, baseDelayMillis: Int64 = 20) -> StatusOutboxService {
        service(baseURL: forge.baseURL, tokens: tokens, baseDelayMillis: baseDelayMillis)
    }

    func service(baseURL: String, tokens: GitHubInstallationTokens? = nil, baseDelayMillis: Int64 = 20) -> StatusOutboxService {
        var logger = Logger(label: "test.statuses")
        logger.logLevel = .error
        return StatusOutboxService(
            outbox: outbox,
            sender: StatusSender(
                gitHubAPIURL: baseURL, gitLabURL: baseURL, bitbucketAPIURL: baseURL,
                secretBox: secretBox, installationTokens: tokens, httpClient: .shared, timeout: .seconds(3)
            ),
            policy: StatusRetryPolicy(baseDelayMillis: baseDelayMillis), signal: JobSignal(), logger: logger
        )
    }

    /// Claims the next due row for `service` and sends it once; nil when nothing was due.
    @discardableResult
    func attempt(_ service: StatusOutboxService, now: Int64 = Clock.nowMillis()) async throws -> OutboxStatus? {
        guard let row = try await outbox.claim(owner: service.owner, now: now, lease: 60_000) else { return nil }
        try await service.deliver(row)
        return row
    }

    /// The single row of `provider`'s pipeline.
    func row(_ provider: String) async throws -> OutboxStatus {
        let rows = try await outbox.rows(pipelineID: pipelines[provider]!)
        return try #require(rows.last)
    }
}
