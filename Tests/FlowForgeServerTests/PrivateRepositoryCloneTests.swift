import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// A connected repository's access token is what its pipelines clone with: a GitLab push to a repository
/// that needs a password runs with the token, and fails with an authentication error without it.
@Suite("private repositories", .needsDocker, .dockerPrerequisites)
struct PrivateRepositoryCloneTests {
    @Test func connectedTokenIsUsedToClone() async throws {
        let server = try GitTestServer(user: "oauth2", password: "glpat-private-token")
        defer { server.stop() }
        // GitLab repositories clone from GITLAB_URL/<path>.git: the test server plays gitlab.com.
        let repository = try server.makeRepository("mike/diaspora.git", defaultBranch: "master")
        let sha = try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo private build]\n"], branch: "master")
        let fixture = String(decoding: try WebhookFixtures.body("gitlab/push-event.json"), as: UTF8.self)
        let body = Array(fixture.replacingOccurrences(of: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", with: sha).utf8)
        #expect(repository.httpURL == "\(server.baseURL)/mike/diaspora.git")
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "gitlab", fullName: "mike/diaspora", token: "glpat-private-token")
        await forge.grantRead(provider: "gitlab", fullName: "mike/diaspora", token: "glpat-not-for-git")
        let environment = pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL))

        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let created = try await client.send(.post, "/api/user/repositories", token: access, json: [
                "provider": "gitlab", "full_name": "mike/diaspora", "access_token": "glpat-private-token",
            ])
            #expect(created.status == .created)
            let secret = try #require(try json(created)["webhook_secret"] as? String)
            let response = try await client.deliver(SignedDelivery(provider: "gitlab", event: "Push Hook", body: body), secret: secret)
            let id = try #require(try json(response)["pipeline_id"] as? String, "\(text(response))")
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let log = try await client.logs(id, key: key)
            #expect(log.contains("private build"))
            #expect(!log.contains("glpat-private-token"))
            #expect(!String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)", token: key).body).contains("glpat-private-token"))
        }

        // A token the git server does not take.
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "gitlab", fullName: "mike/diaspora", accessToken: "glpat-not-for-git")
            let secret = try #require(connected["webhook_secret"] as? String)
            let response = try await client.deliver(SignedDelivery(provider: "gitlab", event: "Push Hook", body: body), secret: secret)
            let id = try #require(try json(response)["pipeline_id"] as? String)
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error")
            #expect((pipeline["error"] as? String)?.lowercased().contains("auth") == true, "\(pipeline)")
        }
    }
}
