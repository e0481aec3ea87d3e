import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import FlowForgeForges
@testable import FlowForgeServer

/// What one stored fixture must produce at the endpoint.
struct WebhookFixtureCase: Sendable, CustomStringConvertible {
    enum Expected: Sendable {
        case pipeline(event: String, branch: String, sha: String)
        case ignored(String)
        case ping
    }

    var file: String
    var provider: String
    var event: String
    var expected: Expected
    var description: String { file }

    var forge: any Forge {
        switch provider {
        case "github": GitHubForge()
        case "gitlab": GitLabForge()
        default: BitbucketForge()
        }
    }

    static let all: [WebhookFixtureCase] = [
        .init(file: "github/push.json", provider: "github", event: "push", expected: .ignored("tag deleted: simple-tag")),
        .init(file: "github/push.with-new-branch.json", provider: "github", event: "push",
              expected: .pipeline(event: "push", branch: "master", sha: "6113728f27ae82c7b1a177c8d03f9e96e0adf246")),
        .init(file: "github/ping.json", provider: "github", event: "ping", expected: .ping),
        .init(file: "github/pull_request.opened.json", provider: "github", event: "pull_request",
              expected: .pipeline(event: "pull_request", branch: "changes", sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821")),
        .init(file: "github/pull_request.synchronize.json", provider: "github", event: "pull_request",
              expected: .pipeline(event: "pull_request", branch: "changes", sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821")),
        .init(file: "gitlab/push-event.json", provider: "gitlab", event: "Push Hook",
              expected: .pipeline(event: "push", branch: "master", sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")),
        .init(file: "gitlab/tag-event.json", provider: "gitlab", event: "Tag Push Hook",
              expected: .pipeline(event: "tag", branch: "v1.0.0", sha: "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7")),
        .init(file: "gitlab/merge-request-event.json", provider: "gitlab", event: "Merge Request Hook",
              expected: .pipeline(event: "pull_request", branch: "ms-viewport", sha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")),
        .init(file: "bitbucket/repo-push.json", provider: "bitbucket", event: "repo:push",
              expected: .pipeline(event: "push", branch: "name-of-branch", sha: "709d658dc5b6d6afcd46049c2f332ee3f515a67d")),
        .init(file: "bitbucket/pull-request-created.json", provider: "bitbucket", event: "pullrequest:created",
              expected: .pipeline(event: "pull_request", branch: "branch2", sha: "d3022fc0ca3d")),
        .init(file: "bitbucket/pull-request-updated.json", provider: "bitbucket", event: "pullrequest:updated",
              expected: .pipeline(event: "pull_request", branch: "branch2", sha: "d3022fc0ca3d")),
    ]
}

@Suite("webhook deliveries")
struct WebhookDeliveryTests {
    static let environment = ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true", "GITHUB_APP_WEBHOOK_SECRET": "app-secret-for-tests"]

    /// The app with forge APIs on a fake forge that confirms the token `t` for every name `connect` uses.
    func withForgeApp(
        _ extra: [String: String] = [:],
        _ body: @Sendable (any TestClientProtocol, AppConfiguration, ForgeConnector) async throws -> Void
    ) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let environment = Self.environment.merging(forgeEnvironment(forge)) { _, new in new }.merging(extra) { _, new in new }
        try await withTestApp(environment: environment) { client, configuration in
            try await body(client, configuration, ForgeConnector(client: client, forge: forge))
        }
    }

    /// Connects forge repositories with a token the fake forge confirms.
    struct ForgeConnector: Sendable {
        let client: any TestClientProtocol
        let forge: FakeForge

        func connect(access: String, provider: String, fullName: String) async throws -> [String: Any] {
            await forge.grantRead(provider: provider, fullName: fullName, token: "t-\(access.suffix(8))")
            return try await client.connectRepository(access: access, provider: provider, fullName: fullName, accessToken: "t-\(access.suffix(8))")
        }
    }

    /// A forged or altered delivery is refused and leaves no trace; the genuine one gets the expected
    /// answer; its redelivery gets the same answer and starts nothing.
    @Test(arguments: WebhookFixtureCase.all)
    func fixture(_ fixture: WebhookFixtureCase) async throws {
        let body = try WebhookFixtures.body(fixture.file)
        let fullName = try #require(try fixture.forge.repositoryFullName(WebhookRequest(headers: [:], body: body)))
        try await withForgeApp { client, _, forge in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            // The test environment's forge hosts are a closed local port: the pipelines fail at once.
            let cloneURL = "http://127.0.0.1:9/\(fullName.lowercased()).git"
            let repository = try await forge.connect(access: access, provider: fixture.provider, fullName: fullName)
            let secret = try #require(repository["webhook_secret"] as? String)
            let delivery = SignedDelivery(provider: fixture.provider, event: fixture.event, body: body)

            // GitLab sends its token, not a signature of the body, so only the HMAC forges can catch a changed byte.
            if fixture.provider != "gitlab" {
                let altered = delivery.tampered(secret: secret)
                #expect(altered.body != body)
                let refused = try await client.execute(
                    uri: "/api/webhooks/\(fixture.provider)", method: .post, headers: altered.headers, body: ByteBuffer(bytes: altered.body)
                )
                #expect(refused.status == .unauthorized)
                #expect(try errorCode(refused) == "invalid_signature")
            }
            #expect(try await client.deliver(delivery, secret: "not-the-secret").status == .unauthorized)

            let first = try await client.deliver(delivery, secret: secret)
            #expect(first.headers[.init("X-FlowForge-Redelivery")!] == nil, "the refused copies must not have been recorded")
            let answer = try json(first)
            switch fixture.expected {
            case .ping:
                #expect(first.status == .ok)
                #expect(answer["ok"] as? Bool == true)
            case .ignored(let reason):
                #expect(first.status == .ok)
                #expect(answer["ignored"] as? String == reason)
            case .pipeline:
                #expect(first.status == .accepted)
                #expect(answer["pipeline_id"] is String)
            }

            let again = try await client.deliver(delivery, secret: secret)
            #expect(again.status == first.status)
            #expect(text(again) == text(first))
            #expect(again.headers[.init("X-FlowForge-Redelivery")!] == "true")

            let pipelines = try await client.pipelines(key: key)
            if case let .pipeline(event, branch, sha) = fixture.expected {
                try #require(pipelines.count == 1)
                let pipeline = pipelines[0]
                #expect(pipeline["id"] as? String == answer["pipeline_id"] as? String)
                #expect(pipeline["event"] as? String == event)
                #expect(pipeline["branch"] as? String == branch)
                #expect(pipeline["commit_sha"] as? String == sha)
                #expect(pipeline["repo_url"] as? String == cloneURL)
            } else {
                #expect(pipelines.isEmpty)
            }
        }
    }

    @Test func installationsAreVerifiedWithTheAppSecretAndRecorded() async throws {
        try await withTestApp(environment: Self.environment) { client, configuration in
            let created = SignedDelivery(provider: "github", event: "installation", body: try WebhookFixtures.body("github/installation.created.json"))
            let forged = try await client.deliver(created, secret: "not-the-app-secret")
            #expect(forged.status == .unauthorized)

            let response = try await client.deliver(created, secret: "app-secret-for-tests")
            #expect(response.status == .ok)
            #expect(try json(response)["installation_id"] as? Int == 957387)
            let added = SignedDelivery(
                provider: "github", event: "installation_repositories",
                body: try WebhookFixtures.body("github/installation_repositories.added.json")
            )
            #expect(try await client.deliver(added, secret: "app-secret-for-tests").status == .ok)

            let database = try openDatabase(configuration, logger: Logger(label: "test"))
            let installations = SQLGitHubInstallationRepository(database: database)
            let installation: GitHubInstallation?
            let recordedID: Int64?
            do {
                installation = try await installations.find(id: 957387)
                recordedID = try await installations.installationID(forRepository: "codertocat/space", linkedTo: "nobody")
            } catch {
                await database.shutdown()  // a pool dropped unclosed trips an assertion in SQLiteNIO
                throw error
            }
            await database.shutdown()
            #expect(installation?.account == "Codertocat")
            #expect(installation?.repositories == ["codertocat/hello-world", "codertocat/space"])
            #expect(recordedID == nil, "an installation nobody linked serves no account")
        }
    }

    @Test func withoutAnAppSecretInstallationsAreRefused() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let created = SignedDelivery(provider: "github", event: "installation", body: try WebhookFixtures.body("github/installation.created.json"))
            let response = try await client.deliver(created, secret: "anything")
            #expect(response.status == .badRequest)
            #expect(text(response).contains("GITHUB_APP_WEBHOOK_SECRET"))
        }
    }

    /// An App-signed push starts a pipeline only in the account the installation is linked to, never in
    /// another account that connected the same name.
    @Test func appSignedPushesStartPipelinesOnlyInTheLinkedAccount() async throws {
        try await withForgeApp { client, configuration, forge in
            let owner = try await client.register(), squatter = try await client.register()
            let ownerKey = try await client.createAPIKey(access: owner.access), squatterKey = try await client.createAPIKey(access: squatter.access)
            _ = try await forge.connect(access: squatter.access, provider: "github", fullName: "codertocat/hello-world")
            _ = try await forge.connect(access: owner.access, provider: "github", fullName: "codertocat/hello-world")
            let push = SignedDelivery(provider: "github", event: "push", body: try WebhookFixtures.body("github/push.with-new-branch.json"))

            let unlinked = try await client.deliver(push, secret: "app-secret-for-tests")
            #expect(unlinked.status == .ok && text(unlinked).contains("ignored"), "\(text(unlinked))")

            try await withInstallations(configuration) { installations in
                try await installations.apply(id: 31, account: "Codertocat", action: "created", added: ["Codertocat/Hello-World"], removed: [], at: Clock.nowMillis())
                _ = try await installations.link(id: 31, userID: owner.userID)
            }
            var again = push
            again.deliveryID = UUID().uuidString
            #expect(try await client.deliver(again, secret: "app-secret-for-tests").status == .accepted)
            #expect(try await client.pipelines(key: ownerKey).count == 1)
            #expect(try await client.pipelines(key: squatterKey).isEmpty)
        }
    }

    /// An unknown repository and a known one with a wrong signature get the same answer, byte for byte,
    /// so nobody can probe which names are connected.
    @Test(arguments: ["github", "gitlab", "bitbucket"])
    func unknownRepositoriesAnswerExactlyLikeBadSignatures(provider: String) async throws {
        let file = ["github": "github/push.with-new-branch.json", "gitlab": "gitlab/push-event.json", "bitbucket": "bitbucket/repo-push.json"][provider]!
        let event = ["github": "push", "gitlab": "Push Hook", "bitbucket": "repo:push"][provider]!
        let known = try WebhookFixtures.body(file)
        let forgeOf: any Forge = provider == "github" ? GitHubForge() : provider == "gitlab" ? GitLabForge() as any Forge : BitbucketForge()
        let fullName = try #require(try forgeOf.repositoryFullName(WebhookRequest(headers: [:], body: known)))
        let unknown = Array(String(decoding: known, as: UTF8.self).replacingOccurrences(of: fullName, with: "nobody/nothing-here").utf8)
        try await withForgeApp { client, _, forge in
            let access = try await client.register().access
            _ = try await forge.connect(access: access, provider: provider, fullName: fullName)
            let wrongSecret = try await client.deliver(SignedDelivery(provider: provider, event: event, body: known), secret: "not-the-secret")
            let notConnected = try await client.deliver(SignedDelivery(provider: provider, event: event, body: unknown), secret: "not-the-secret")
            #expect(wrongSecret.status == .unauthorized)
            #expect(notConnected.status == wrongSecret.status)
            #expect(text(notConnected) == text(wrongSecret))
            #expect(try errorCode(notConnected) == "invalid_signature")
        }
    }

    @Test func unknownForgesAreNotFound() async throws {
        try await withTestApp(environment: Self.environment) { client, _ in
            var push = SignedDelivery(provider: "github", event: "push", body: try WebhookFixtures.body("github/push.with-new-branch.json"))
            push.provider = "svn"
            #expect(try await client.deliver(push, secret: "whatever").status == .notFound)
        }
    }

    private func withInstallations(_ configuration: AppConfiguration, _ body: (any GitHubInstallationRepository) async throws -> Void) async throws {
        let database = try openDatabase(configuration, logger: Logger(label: "test"))
        do {
            try await body(SQLGitHubInstallationRepository(database: database))
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    @Test func aMalformedDeliveryIsA400AndNotRecorded() async throws {
        try await withForgeApp { client, _, forge in
            let access = try await client.register().access
            let secret = try #require(try await forge.connect(
                access: access, provider: "github", fullName: "codertocat/hello-world"
            )["webhook_secret"] as? String)
            let push = SignedDelivery(provider: "github", event: "push", body: try WebhookFixtures.body("github/push.with-new-branch.json"))
            var headers = push.headers(secret: secret)
            headers[.init("X-GitHub-Event")!] = nil
            let response = try await client.execute(uri: "/api/webhooks/github", method: .post, headers: headers, body: ByteBuffer(bytes: push.body))
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_webhook")
            #expect(text(response).contains("X-GitHub-Event"))
            #expect(try await client.deliver(push, secret: secret).status == .accepted)
        }
    }

    /// Copies of one delivery arriving together still make one pipeline, and all get the same answer.
    @Test func concurrentCopiesMakeOnePipeline() async throws {
        try await withForgeApp { client, _, forge in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let secret = try #require(try await forge.connect(
                access: access, provider: "github", fullName: "codertocat/hello-world"
            )["webhook_secret"] as? String)
            let push = SignedDelivery(provider: "github", event: "push", body: try WebhookFixtures.body("github/push.with-new-branch.json"))
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.deliver(push, secret: secret)
                        return (response.status.code, text(response))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 8)
            #expect(Set(answers.map(\.0)) == [202])
            #expect(Set(answers.map(\.1)).count == 1)
            #expect(try await client.pipelines(key: key).count == 1)
        }
    }
}
