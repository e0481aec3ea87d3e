import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// A pull request from a fork, end to end: its head commit is on no branch of the base repository, only
/// under the forge's pull request ref, and the pipeline fetches that ref from the base repository's host.
@Suite("fork pull requests in Docker", .needsDocker, .dockerPrerequisites)
struct ForkPullRequestTests {
    @Test(arguments: [("github", "refs/pull/5/head"), ("gitlab", "refs/merge-requests/5/head")])
    func aForkPullRequestBuildsItsHeadAndIsMarkedAsAFork(provider: String, ref: String) async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("octo/forked.git")
        try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo base branch]\n"])
        let head = try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo built the fork head]\n"], branch: "fork-topic")
        // Where the forge keeps the head of a pull request from a fork: no branch of the base holds it.
        try GitCommandLine.run(["update-ref", ref, head], in: repository.bareDirectory)
        try GitCommandLine.run(["update-ref", "-d", "refs/heads/fork-topic"], in: repository.bareDirectory)

        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: provider, fullName: "octo/forked", token: "reader")
        try await withTestApp(environment: pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL))) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: provider, fullName: "octo/forked", accessToken: "reader")
            let secret = try #require(connected["webhook_secret"] as? String)
            let (event, body) = Self.forkPullRequest(provider: provider, head: head, forkURL: "http://127.0.0.1:1/forker/forked.git")
            let answer = try await client.deliver(SignedDelivery(provider: provider, event: event, body: Array(body.utf8)), secret: secret)
            let id = try #require(try json(answer)["pipeline_id"] as? String, "\(text(answer))")
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(pipeline["fork"] as? Bool == true)
            #expect(pipeline["commit_sha"] as? String == head)
            #expect(pipeline["repo_url"] as? String == "\(server.baseURL)/octo/forked.git", "the base repository, never the fork's URL")
            #expect(try await client.logs(id, key: key).contains("built the fork head"))

            // Run again, it is still a fork's pipeline (and so still without write credentials).
            let restarted = try await client.send(.post, "/api/v1/pipelines/\(id)/restart", token: key)
            #expect(restarted.status == .created, "\(text(restarted))")
            #expect(try json(restarted)["fork"] as? Bool == true)
        }
    }

    static func forkPullRequest(provider: String, head: String, forkURL: String) -> (event: String, body: String) {
        switch provider {
        case "gitlab":
            return ("Merge Request Hook", #"{"object_kind":"merge_request","user":{"name":"forker"},"project":{"id":1,"path_with_namespace":"octo/forked","git_http_url":"http://127.0.0.1:1/octo/forked.git"},"object_attributes":{"iid":5,"action":"open","title":"from a fork","source_branch":"topic","target_branch":"main","source_project_id":2,"target_project_id":1,"last_commit":{"id":"\#(head)","message":"fork change"},"source":{"path_with_namespace":"forker/forked","git_http_url":"\#(forkURL)"},"target":{"path_with_namespace":"octo/forked"}}}"#)
        default:
            return ("pull_request", #"{"action":"opened","number":5,"pull_request":{"number":5,"title":"from a fork","head":{"ref":"topic","sha":"\#(head)","repo":{"full_name":"forker/forked","clone_url":"\#(forkURL)"}},"base":{"ref":"main"}},"repository":{"full_name":"octo/forked","clone_url":"http://127.0.0.1:1/octo/forked.git"}}"#)
        }
    }
}
