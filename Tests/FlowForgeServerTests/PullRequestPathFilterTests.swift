import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `when.path` on pull requests, whose hooks carry no file list: the server diffs the pull request's head
/// against its merge base with the target branch. Real git server, real libgit2, steps as local processes.
@Suite("when.path on pull requests")
struct PullRequestPathFilterTests {
    static let config = """
        steps:
          - name: always
            commands: ["echo ran always"]
          - name: code
            when: { path: { include: ["src/**"] } }
            commands: ["echo ran code"]
          - name: docs
            when: { path: { include: ["docs/**"] } }
            commands: ["echo ran docs"]
        """

    @Test func pathFiltersSeeWhatThePullRequestChanged() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("octo/paths.git")
        try repository.commit(["flowforge.yml": Self.config, "src/app.c": "1\n", "docs/index.md": "1\n"])
        for branch in ["docs-topic", "code-topic"] {
            try GitCommandLine.run(["branch", branch, "main"], in: repository.bareDirectory)
        }
        let docsHead = try repository.commit(["docs/x.md": "new page\n"], branch: "docs-topic")
        let codeHead = try repository.commit(["src/app.c": "2\n"], branch: "code-topic")
        // The target moved on after both forked: its src change is not the docs pull request's.
        try repository.commit(["src/later.c": "3\n"], branch: "main")

        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "github", fullName: "octo/paths", token: "reader")
        let environment = forgeEnvironment(forge, gitBase: server.baseURL).merging([
            "FLOWFORGE_ALLOW_LOCAL_REPOS": "true", "FLOWFORGE_BACKEND": "local", "DOCKER_HOST": "unix:///nonexistent/docker.sock",
        ]) { _, new in new }
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "github", fullName: "octo/paths", accessToken: "reader")
            let secret = try #require(connected["webhook_secret"] as? String)
            let cloneURL = "\(server.baseURL)/octo/paths.git"

            func pullRequest(_ number: Int, branch: String, head: String, into target: String = "main") async throws -> String {
                let body = #"{"action":"opened","number":\#(number),"pull_request":{"number":\#(number),"title":"pr \#(number)","head":{"ref":"\#(branch)","sha":"\#(head)","repo":{"full_name":"octo/paths","clone_url":"\#(cloneURL)"}},"base":{"ref":"\#(target)"}},"repository":{"full_name":"octo/paths","clone_url":"\#(cloneURL)"}}"#
                let answer = try await client.deliver(SignedDelivery(provider: "github", event: "pull_request", body: Array(body.utf8)), secret: secret)
                let id = try #require(try json(answer)["pipeline_id"] as? String, "\(text(answer))")
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "success", "\(pipeline)")
                #expect(pipeline["event"] as? String == "pull_request")
                return try await client.logs(id, key: key)
            }

            let docs = try await pullRequest(5, branch: "docs-topic", head: docsHead)
            #expect(docs.contains("ran always") && docs.contains("ran docs"), "\(docs)")
            #expect(!docs.contains("ran code"), "the pull request changed only docs/x.md:\n\(docs)")

            let code = try await pullRequest(6, branch: "code-topic", head: codeHead)
            #expect(code.contains("ran code"), "\(code)")
            #expect(!code.contains("ran docs"), "\(code)")

            // No such target branch: the diff cannot be made, so the filters match rather than skip.
            let unknown = try await pullRequest(7, branch: "docs-topic", head: docsHead, into: "release")
            #expect(unknown.contains("ran code") && unknown.contains("ran docs"), "\(unknown)")
        }
    }
}
