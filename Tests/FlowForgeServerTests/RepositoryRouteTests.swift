import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("connected repositories")
struct RepositoryRouteTests {
    let environment = ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true", "API_BASE_URL": "https://ci.example.com/"]

    /// The app with every forge API on a fake forge and forge hosts on example URLs.
    func withForgeApp(_ body: @Sendable (any TestClientProtocol, FakeForge) async throws -> Void) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        var environment = self.environment.merging(forgeEnvironment(forge)) { _, new in new }
        environment.merge(["GITHUB_URL": "https://github.example", "GITLAB_URL": "https://gitlab.example", "BITBUCKET_URL": "https://bitbucket.example"]) { _, new in new }
        try await withTestApp(environment: environment) { client, _ in try await body(client, forge) }
    }

    @Test func connectShowsTheSecretOnceAndListsWithoutIt() async throws {
        try await withForgeApp { client, forge in
            let access = try await client.register().access
            await forge.grantRead(provider: "github", fullName: "octo/hello-world", token: "t1")
            let created = try await client.connectRepository(access: access, provider: "github", fullName: "Octo/Hello-World", accessToken: "t1")
            let id = try #require(created["id"] as? String)
            #expect(created["provider"] as? String == "github")
            #expect(created["full_name"] as? String == "octo/hello-world")
            #expect(created["clone_url"] as? String == "https://github.example/octo/hello-world.git")
            #expect(created["webhook_url"] as? String == "https://ci.example.com/api/webhooks/github")
            #expect(created["access_verified_at"] is String, "the forge's confirmation is recorded")
            let secret = try #require(created["webhook_secret"] as? String)
            #expect(secret.count == 64 && secret.allSatisfy(\.isHexDigit))

            let list = try json(try await client.send(.get, "/api/user/repositories", token: access))
            let repositories = try #require(list["repositories"] as? [[String: Any]])
            #expect(repositories.map { $0["id"] as? String } == [id])
            #expect(repositories.allSatisfy { $0["webhook_secret"] == nil && $0["access_token"] == nil })
            let shown = try await client.send(.get, "/api/user/repositories/\(id)", token: access)
            #expect(shown.status == .ok)
            #expect(!text(shown).contains(secret))
            #expect(try json(shown)["webhook_url"] as? String == "https://ci.example.com/api/webhooks/github")
        }
    }

    /// Forge repositories clone from the forge's own host (GITHUB_URL, GITLAB_URL, BITBUCKET_URL); a
    /// clone_url is refused for them and required for generic git servers.
    @Test func forgeHostsAreTheOnlyCloneURLsOfForgeRepositories() async throws {
        try await withForgeApp { client, forge in
            let access = try await client.register().access
            await forge.grantRead(provider: "gitlab", fullName: "group/sub/project", token: "gl")
            let gitlab = try await client.connectRepository(access: access, provider: "gitlab", fullName: "group/sub/project", accessToken: "gl")
            #expect(gitlab["clone_url"] as? String == "https://gitlab.example/group/sub/project.git")
            await forge.grantRead(provider: "bitbucket", fullName: "team/repo", token: "bb")
            let bitbucket = try await client.connectRepository(access: access, provider: "bitbucket", fullName: "team/repo", accessToken: "bb")
            #expect(bitbucket["clone_url"] as? String == "https://bitbucket.example/team/repo.git")
            #expect(await forge.requests().map(\.path).contains("/api/v4/projects/group%2Fsub%2Fproject"))

            for provider in ["github", "gitlab", "bitbucket"] {
                let elsewhere = try await client.send(.post, "/api/user/repositories", token: access, json: [
                    "provider": provider, "full_name": "victim-org/app", "clone_url": "http://127.0.0.1:1/victim-org/app.git", "access_token": "x",
                ])
                #expect(elsewhere.status == .unprocessableContent, "\(text(elsewhere))")
                #expect(text(elsewhere).contains("clone_url: is only for generic git servers"))
            }

            let missing = try await client.send(.post, "/api/user/repositories", token: access, json: ["provider": "git", "full_name": "team/app"])
            #expect(missing.status == .unprocessableContent)
            #expect(text(missing).contains("clone_url"))
            let local = FileManager.default.temporaryDirectory.appendingPathComponent("app.git").absoluteString
            let git = try await client.connectRepository(access: access, provider: "git", fullName: "Team/App", cloneURL: local)
            #expect(git["clone_url"] as? String == local)
            #expect(git["full_name"] as? String == "Team/App", "generic git names keep their case")
            #expect(git["access_verified_at"] == nil)
        }
    }

    /// Without a linked App installation, a forge repository needs a token the forge confirms can read it.
    @Test func forgeRepositoriesNeedProvenAccess() async throws {
        try await withForgeApp { client, forge in
            let access = try await client.register().access
            let none = try await client.send(.post, "/api/user/repositories", token: access, json: ["provider": "github", "full_name": "victim-org/app"])
            #expect(none.status == .unprocessableContent)
            #expect(try errorCode(none) == "validation_failed")
            #expect(text(none).contains("access_token: is required"))

            let unconfirmed = try await client.send(.post, "/api/user/repositories", token: access, json: [
                "provider": "github", "full_name": "victim-org/app", "access_token": "not-theirs",
            ])
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(try errorCode(unconfirmed) == "repository_access_unconfirmed")
            let asked = await forge.requests().last
            #expect(asked?.path == "/repos/victim-org/app" && asked?.headers["authorization"] == "Bearer not-theirs")
        }
    }

    /// A name connected by one account does not block another that proves access; the same account
    /// cannot connect it twice.
    @Test func oneNameMayBeConnectedByEveryAccountThatProvesAccess() async throws {
        try await withForgeApp { client, forge in
            let first = try await client.register().access
            await forge.grantRead(provider: "github", fullName: "octo/app", token: "first")
            await forge.grantRead(provider: "github", fullName: "octo/app", token: "second")
            _ = try await client.connectRepository(access: first, provider: "github", fullName: "octo/app", accessToken: "first")
            let twice = try await client.send(.post, "/api/user/repositories", token: first, json: ["provider": "github", "full_name": "Octo/App", "access_token": "first"])
            #expect(twice.status == .conflict)
            #expect(try errorCode(twice) == "repository_exists")

            let second = try await client.register().access
            let again = try await client.send(.post, "/api/user/repositories", token: second, json: ["provider": "github", "full_name": "Octo/App", "access_token": "second"])
            #expect(again.status == .created, "\(text(again))")
        }
    }

    @Test("invalid bodies are 422s naming the field", arguments: [
        (["full_name": "a/b"], "provider"),
        (["provider": "svn", "full_name": "a/b"], "provider"),
        (["provider": "github"], "full_name"),
        (["provider": "github", "full_name": "just-a-name"], "full_name"),
        (["provider": "github", "full_name": "a/../b"], "full_name"),
        (["provider": "gitlab", "full_name": "project"], "full_name"),
        (["provider": "github", "full_name": "a/b", "clone_url": "https://github.com/a/b.git"], "clone_url"),
        (["provider": "git", "full_name": "a/b", "clone_url": "https://user:pw@git.example.com/a/b.git"], "clone_url"),
        (["provider": "git", "full_name": "a/b", "clone_url": "ftp://git.example.com/a/b.git"], "clone_url"),
    ])
    func validation(body: [String: String], field: String) async throws {
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let response = try await client.send(.post, "/api/user/repositories", token: access, json: body)
            #expect(response.status == .unprocessableContent, "\(text(response))")
            #expect(try errorCode(response) == "validation_failed")
            let message = try #require((try json(response)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.hasPrefix(field), "\(message)")
        }
    }

    @Test func anotherAccountsRepositoryIsNotFoundAndDeleteIsOnce() async throws {
        try await withForgeApp { client, forge in
            let owner = try await client.register().access
            await forge.grantRead(provider: "github", fullName: "o/r", token: "t")
            let id = try #require(try await client.connectRepository(access: owner, provider: "github", fullName: "o/r", accessToken: "t")["id"] as? String)
            let stranger = try await client.register().access
            #expect(try await client.send(.get, "/api/user/repositories/\(id)", token: stranger).status == .notFound)
            #expect(try await client.send(.delete, "/api/user/repositories/\(id)", token: stranger).status == .notFound)
            let strangerList = try json(try await client.send(.get, "/api/user/repositories", token: stranger))
            #expect((strangerList["repositories"] as? [Any])?.isEmpty == true)

            #expect(try await client.send(.delete, "/api/user/repositories/\(id)", token: owner).status == .noContent)
            #expect(try await client.send(.delete, "/api/user/repositories/\(id)", token: owner).status == .notFound)
            #expect(try await client.send(.get, "/api/user/repositories/\(id)", token: owner).status == .notFound)
        }
    }

    @Test func routesNeedAnAccessToken() async throws {
        try await withTestApp(environment: environment) { client, _ in
            #expect(try await client.send(.get, "/api/user/repositories").status == .unauthorized)
            let key = try await client.createAPIKey(access: try await client.register().access)
            let withKey = try await client.send(.post, "/api/user/repositories", token: key, json: ["provider": "github", "full_name": "a/b"])
            #expect(withKey.status == .unauthorized)
        }
    }
}
