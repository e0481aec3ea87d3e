import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("connected repositories")
struct RepositoryRouteTests {
    let environment = ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true", "API_BASE_URL": "https://ci.example.com/"]

    @Test func connectShowsTheSecretOnceAndListsWithoutIt() async throws {
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let created = try await client.connectRepository(access: access, provider: "github", fullName: "Octo/Hello-World", cloneURL: nil)
            let id = try #require(created["id"] as? String)
            #expect(created["provider"] as? String == "github")
            #expect(created["full_name"] as? String == "octo/hello-world")
            #expect(created["clone_url"] as? String == "https://github.com/octo/hello-world.git")
            #expect(created["webhook_url"] as? String == "https://ci.example.com/api/webhooks/github")
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

    @Test func defaultCloneURLsPerForgeAndARequiredOneForGit() async throws {
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let gitlab = try await client.connectRepository(access: access, provider: "gitlab", fullName: "group/sub/project", cloneURL: nil)
            #expect(gitlab["clone_url"] as? String == "https://gitlab.com/group/sub/project.git")
            let bitbucket = try await client.connectRepository(access: access, provider: "bitbucket", fullName: "team/repo", cloneURL: nil)
            #expect(bitbucket["clone_url"] as? String == "https://bitbucket.org/team/repo.git")

            let missing = try await client.send(.post, "/api/user/repositories", token: access, json: ["provider": "git", "full_name": "team/app"])
            #expect(missing.status == .unprocessableContent)
            #expect(text(missing).contains("clone_url"))
            let local = FileManager.default.temporaryDirectory.appendingPathComponent("app.git").absoluteString
            let git = try await client.connectRepository(access: access, provider: "git", fullName: "Team/App", cloneURL: local)
            #expect(git["clone_url"] as? String == local)
            #expect(git["full_name"] as? String == "Team/App", "generic git names keep their case")
        }
    }

    @Test("invalid bodies are 422s naming the field", arguments: [
        (["full_name": "a/b"], "provider"),
        (["provider": "svn", "full_name": "a/b"], "provider"),
        (["provider": "github"], "full_name"),
        (["provider": "github", "full_name": "just-a-name"], "full_name"),
        (["provider": "github", "full_name": "a/../b"], "full_name"),
        (["provider": "gitlab", "full_name": "project"], "full_name"),
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

    @Test func duplicatesConflictAcrossAccounts() async throws {
        try await withTestApp(environment: environment) { client, _ in
            let first = try await client.register().access
            _ = try await client.connectRepository(access: first, provider: "github", fullName: "octo/app", cloneURL: nil)
            let second = try await client.register().access
            let again = try await client.send(.post, "/api/user/repositories", token: second, json: ["provider": "github", "full_name": "Octo/App"])
            #expect(again.status == .conflict)
            #expect(try errorCode(again) == "repository_exists")
            let otherForge = try await client.send(.post, "/api/user/repositories", token: second, json: ["provider": "gitlab", "full_name": "octo/app"])
            #expect(otherForge.status == .created)
        }
    }

    @Test func anotherAccountsRepositoryIsNotFoundAndDeleteIsOnce() async throws {
        try await withTestApp(environment: environment) { client, _ in
            let owner = try await client.register().access
            let id = try #require(try await client.connectRepository(access: owner, provider: "github", fullName: "o/r", cloneURL: nil)["id"] as? String)
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
