import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Webhooks end to end: a real git server or bare repository, the real queue and workers, real containers.
@Suite("webhooks in Docker", .needsDocker, .dockerPrerequisites)
struct WebhookPipelineRunTests {
    /// GitHub's published push delivery, pointed at a local repository and a real commit there, runs that
    /// commit's flowforge.yml; its `when` filter sees the push event and branch.
    @Test func gitHubPushRunsThePushedCommit() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        // GitHub repositories clone from GITHUB_URL/<owner>/<name>.git: the test server plays github.com.
        let repository = try server.makeRepository("codertocat/hello-world.git", defaultBranch: "master")
        let sha = try repository.commit([
            "flowforge.yml": """
                steps:
                  - name: build
                    commands:
                      - echo "built by a webhook"
                  - name: pr-only
                    when:
                      event: pull_request
                    commands:
                      - echo "must not run on a push"
                """,
        ], branch: "master")
        let original = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
        let fixture = String(decoding: try WebhookFixtures.body("github/push.with-new-branch.json"), as: UTF8.self)
        #expect(fixture.contains(original))
        let body = Array(fixture.replacingOccurrences(of: original, with: sha).utf8)

        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "github", fullName: "Codertocat/Hello-World", token: "ghp_reader")
        try await withTestApp(environment: pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL))) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "github", fullName: "Codertocat/Hello-World", accessToken: "ghp_reader")
            let secret = try #require(connected["webhook_secret"] as? String)
            let response = try await client.deliver(SignedDelivery(provider: "github", event: "push", body: body), secret: secret)
            #expect(response.status == .accepted, "\(text(response))")
            let id = try #require(try json(response)["pipeline_id"] as? String)

            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(pipeline["commit_sha"] as? String == sha)
            #expect(pipeline["event"] as? String == "push")
            #expect(pipeline["branch"] as? String == "master")
            let log = try await client.logs(id, key: key)
            #expect(log.contains("built by a webhook"))
            #expect(!log.contains("must not run on a push"))
        }
    }

    /// `Hooks/post-receive` in a real bare repository: `git push` into it starts a pipeline for the pushed
    /// commit, a tag push starts a tag pipeline, and `[skip ci]` starts nothing.
    @Test func postReceiveHookTriggersPipelines() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-hook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "app.git", root: root.appendingPathComponent("repositories"))
        defer { repository.removeWorkTree() }
        let hook = repository.bareDirectory.appendingPathComponent("hooks/post-receive")
        try FileManager.default.copyItem(at: Self.hookScript, to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)

        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "git", fullName: "team/app", cloneURL: repository.fileURL)
            let secret = try #require(connected["webhook_secret"] as? String)
            for (name, value) in ["url": "http://127.0.0.1:\(port)", "secret": secret, "repository": "team/app"] {
                try GitCommandLine.run(["config", "flowforge.\(name)", value], in: repository.bareDirectory)
            }

            // The hook posts while `git push` waits for it, so the pipeline exists when commit() returns.
            let sha = try repository.commit(
                ["flowforge.yml": "steps:\n  - name: hello\n    commands:\n      - echo \"pushed to $(cat BRANCH)\"\n", "BRANCH": "main"],
                message: "Add \"CI\"\n\n\tWith a tab, a backslash \\ and a second paragraph."
            )
            let first = try await client.pipelines(key: key)
            try #require(first.count == 1, "the hook did not start a pipeline")
            #expect(first[0]["commit_sha"] as? String == sha)
            #expect(first[0]["branch"] as? String == "main")
            #expect(first[0]["event"] as? String == "push")
            #expect(first[0]["repo_url"] as? String == repository.fileURL)

            try repository.commit(["README": "docs"], message: "Update docs [skip ci]")
            #expect(try await client.pipelines(key: key).count == 1, "[skip ci] must start nothing")

            // An annotated tag, pushed from a clone as a developer would.
            let clone = root.appendingPathComponent("clone")
            try GitCommandLine.run(["clone", "--quiet", repository.bareDirectory.path, clone.path])
            try GitCommandLine.run(["tag", "-a", "-m", "release", "v1.0.0", sha], in: clone)
            try GitCommandLine.run(["push", "--quiet", "origin", "refs/tags/v1.0.0"], in: clone)
            let afterTag = try await client.pipelines(key: key)
            try #require(afterTag.count == 2, "the tag push did not start a pipeline")
            #expect(afterTag[0]["event"] as? String == "tag")
            #expect(afterTag[0]["branch"] as? String == "v1.0.0")
            #expect(afterTag[0]["commit_sha"] as? String == sha, "an annotated tag builds the commit it tags")

            let id = try #require(first[0]["id"] as? String)
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(try await client.logs(id, key: key).contains("pushed to main"))
        }
    }

    static let hookScript = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Hooks/post-receive")
}
