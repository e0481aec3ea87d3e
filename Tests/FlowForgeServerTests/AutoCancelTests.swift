import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `auto_cancel` and `when.path` end to end: a connected GitHub repository on the local git server, signed
/// push webhooks, real containers.
@Suite("auto-cancel and path triggers in Docker", .needsDocker, .dockerPrerequisites)
struct AutoCancelTests {
    static let slow = "steps:\n  - name: wait\n    commands: [\"sleep 120\"]\n"
    static let quick = "steps:\n  - name: quick\n    commands: [\"true\"]\n"

    static func push(_ fullName: String, branch: String, sha: String, cloneURL: String, files: [String] = ["a"]) -> [UInt8] {
        let list = files.map { "\"\($0)\"" }.joined(separator: ",")
        return Array(#"{"ref":"refs/heads/\#(branch)","before":"0000000000000000000000000000000000000001","after":"\#(sha)","deleted":false,"repository":{"full_name":"\#(fullName)","clone_url":"\#(cloneURL)","default_branch":"main"},"head_commit":{"id":"\#(sha)","message":"m"},"commits":[{"id":"\#(sha)","message":"m","added":[],"modified":[\#(list)],"removed":[]}]}"#.utf8)
    }

    /// Connects `fullName`, then hands `body` a function that pushes a commit of `config` on a branch
    /// through a signed webhook and returns the new pipeline's id.
    func withRepository(
        _ fullName: String, environment: [String: String] = [:],
        _ body: @Sendable (_ client: any TestClientProtocol, _ key: String, _ access: String, _ repositoryID: String,
                           _ push: @Sendable (String, String, [String]) async throws -> String) async throws -> Void
    ) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("\(fullName).git")
        await forge.grantRead(provider: "github", fullName: fullName, token: "t")
        try await withTestApp(environment: pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL).merging(environment) { _, new in new })) { client, _ in
            let access = try await client.register().access
            let created = try await client.connectRepository(access: access, provider: "github", fullName: fullName, accessToken: "t")
            let secret = try #require(created["webhook_secret"] as? String)
            let repositoryID = try #require(created["id"] as? String)
            #expect(created["auto_cancel"] as? Bool == true, "on by default: \(created)")
            let key = try await client.createAPIKey(access: access)
            let url = try #require(repository.httpURL)
            try await body(client, key, access, repositoryID) { config, branch, files in
                let sha = try repository.commit(["flowforge.yml": config], branch: branch)
                let answer = try await client.deliver(
                    SignedDelivery(provider: "github", event: "push", body: Self.push(fullName, branch: branch, sha: sha, cloneURL: url, files: files)),
                    secret: secret)
                #expect(answer.status == .accepted, "\(text(answer))")
                return try #require(try json(answer)["pipeline_id"] as? String)
            }
        }
    }

    @Test func aNewPushCancelsTheBranchsOlderPipeline() async throws {
        try await withRepository("octo/busy") { client, key, _, _, push in
            let first = try await push(Self.slow, "feature", ["a"])
            _ = try await client.awaitPipeline(first, key: key, "to run") { $0["status"] as? String == "running" }
            let second = try await push(Self.quick, "feature", ["a"])
            let canceled = try await client.awaitPipeline(first, key: key)
            #expect(canceled["status"] as? String == "canceled", "\(canceled)")
            let newest = try await client.awaitPipeline(second, key: key)
            #expect(newest["status"] as? String == "success", "\(newest)")
        }
    }

    /// One worker slot, held by a slow pipeline: the pipelines pushed after it wait queued, and a queued
    /// pipeline that auto-cancel reaches is canceled at once, before the webhook is answered.
    @Test func theDefaultBranchAndATurnedOffSettingKeepOlderPipelines() async throws {
        try await withRepository("octo/calm", environment: ["MAX_CONCURRENT_PIPELINES": "1"]) { client, key, access, repositoryID, push in
            func status(_ id: String) async throws -> String? {
                try json(try await client.send(.get, "/api/v1/pipelines/\(id)", token: key))["status"] as? String
            }
            let blocker = try await push(Self.slow, "main", ["a"])
            _ = try await client.awaitPipeline(blocker, key: key, "to run") { $0["status"] as? String == "running" }
            let onMain = try await push(Self.quick, "main", ["a"])
            _ = try await push(Self.quick, "main", ["a"])
            #expect(try await status(onMain) == "pending", "the default branch keeps every pipeline")

            let off = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["auto_cancel": false])
            #expect(off.status == .ok, "\(text(off))")
            #expect(try json(off)["auto_cancel"] as? Bool == false)
            let first = try await push(Self.quick, "feature", ["a"])
            let second = try await push(Self.quick, "feature", ["a"])
            #expect(try await status(first) == "pending", "auto_cancel is off")

            let on = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["auto_cancel": true])
            #expect(try json(on)["auto_cancel"] as? Bool == true)
            _ = try await push(Self.quick, "feature", ["a"])
            #expect(try await status(first) == "canceled")
            #expect(try await status(second) == "canceled")
            #expect(try await status(onMain) == "pending")

            let missing = try await client.send(.patch, "/api/user/repositories/nope", token: access, json: ["auto_cancel": true])
            #expect(missing.status == .notFound)
            let empty = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: [:])
            #expect(empty.status == .unprocessableContent, "\(text(empty))")
            _ = try await client.send(.post, "/api/v1/pipelines/\(blocker)/cancel", token: key)
            _ = try await client.awaitPipeline(blocker, key: key)
        }
    }

    @Test func pathFiltersSeeThePushsChangedFiles() async throws {
        let config = """
            when: { path: { include: ["src/**"], exclude: ["**/*.md"] } }
            steps:
              - { name: build, commands: ["true"] }
            """
        try await withRepository("octo/paths") { client, key, _, _, push in
            let docsOnly = try await push(config, "main", ["README.md", "src/notes.md"])
            let skipped = try await client.awaitPipeline(docsOnly, key: key)
            #expect(skipped["status"] as? String == "skipped", "\(skipped)")
            let code = try await push(config, "main", ["src/main.c", "README.md"])
            #expect(try await client.awaitPipeline(code, key: key)["status"] as? String == "success")
        }
    }
}
