import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import Logging
import Testing
@testable import FlowForgeServer

/// What a pull request from a fork clones with, on a real database: never the repository's own token,
/// and from the GitHub App only a token narrowed to `contents: read` on that one repository.
@Suite("fork credentials")
struct ForkCredentialsTests {
    let logger = Logger(label: "test.fork-credentials")

    func makePipeline(_ fixture: StatusStoreFixture, fork: Bool) -> PipelineRecord {
        PipelineRecord(
            id: fixture.pipelines["github"]!, userID: fixture.userID, repositoryID: fixture.repositories["github"]!,
            repoURL: "x", branch: "topic", commitSHA: nil, event: "pull_request", commands: nil, environment: [:], createdAt: 1,
            fork: fork, fetchRef: fork ? "refs/pull/3/head" : nil
        )
    }

    func credentials(_ fixture: StatusStoreFixture, tokens: GitHubInstallationTokens?) -> CloneCredentials {
        CloneCredentials(
            repositories: SQLConnectedRepositoryRepository(database: fixture.database),
            installations: SQLGitHubInstallationRepository(database: fixture.database),
            installationTokens: tokens, secretBox: fixture.secretBox
        )
    }

    @Test func aForkNeverGetsTheRepositorysAccessToken() async throws {
        try await StatusStoreFixture.with { fixture in
            let clone = credentials(fixture, tokens: nil)
            let own = await clone.credentials(for: makePipeline(fixture, fork: false), logger: logger)
            #expect(own?.password == StatusStoreFixture.token)
            #expect(await clone.credentials(for: makePipeline(fixture, fork: true), logger: logger) == nil)
        }
    }

    @Test func aForkGetsOnlyAReadOnlyAppTokenForThatRepository() async throws {
        let key = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        try await StatusStoreFixture.with { fixture in
            let now = Clock.nowMillis()
            try await fixture.database.withConnection { db in
                try await db.raw("INSERT INTO github_installations (id, account, user_id, created_at, updated_at) VALUES (99, 'octo', \(bind: fixture.userID), \(bind: now), \(bind: now))").run()
                try await db.raw("INSERT INTO github_installation_repositories (installation_id, full_name) VALUES (99, 'octo/app')").run()
            }
            let tokens = GitHubInstallationTokens(
                apiBaseURL: forge.baseURL, jwt: try await GitHubAppJWT(appID: "4242", privateKeyPEM: key.privateKeyPEM),
                httpClient: .shared, logger: logger
            )
            let clone = credentials(fixture, tokens: tokens)
            let forked = try #require(await clone.credentials(for: makePipeline(fixture, fork: true), logger: logger))
            let own = try #require(await clone.credentials(for: makePipeline(fixture, fork: false), logger: logger))
            #expect(forked.password != own.password, "the fork's token is not the installation's full one")

            let requests = await forge.requests().filter { $0.api == "app" }
            try #require(requests.count == 2)
            let narrowed = try #require(requests[0].json)
            #expect(narrowed["repositories"] as? [String] == ["app"])
            #expect(narrowed["permissions"] as? [String: String] == ["contents": "read"])
            #expect(requests[1].body.isEmpty, "the base repository's own pipelines get the installation's token")
        }
    }
}
