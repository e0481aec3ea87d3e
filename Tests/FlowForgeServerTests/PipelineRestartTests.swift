import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// `POST /api/v1/pipelines/:id/restart` against real containers and the real queue.
@Suite("restarting pipelines", .needsDocker, .dockerPrerequisites)
struct PipelineRestartTests {
    @Test func restartRunsTheSameCommitAgainAsANewPipeline() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "restart.git", root: root)
        let first = try repository.commit(["VERSION": "1\n"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let original = try await client.createPipeline(key: key, [
                "repo_url": repository.fileURL, "commands": ["echo \"$WHO built $(cat VERSION)\""], "env": ["WHO": "restart"],
            ])
            #expect(try await client.awaitPipeline(original, key: key)["status"] as? String == "success")
            // The branch moves on; a restart still builds what the original built.
            try repository.commit(["VERSION": "2\n"])

            let response = try await client.send(.post, "/api/v1/pipelines/\(original)/restart", token: key)
            #expect(response.status == .created)
            let again = try #require(try json(response)["id"] as? String)
            #expect(again != original)
            let rerun = try await client.awaitPipeline(again, key: key)
            #expect(rerun["status"] as? String == "success", "\(rerun)")
            #expect(rerun["commit_sha"] as? String == first)
            #expect(rerun["branch"] as? String == "main")
            #expect(try await client.logs(again, key: key).contains("restart built 1"))
            // The original is untouched.
            #expect(try await client.awaitPipeline(original, key: key)["id"] as? String == original)
            let listed = try json(try await client.send(.get, "/api/v1/pipelines", token: key))["pipelines"] as? [[String: Any]]
            #expect(listed?.compactMap { $0["id"] as? String } == [again, original])
        }
    }

    /// A restart of a connected forge repository's pipeline clones from the forge's own host, rebuilt from
    /// the repository, whatever URL the original row holds (rows stored before that rule kept the URL a
    /// delivery named).
    @Test func restartOfAForgePipelineClonesFromTheForgeHost() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let github = try GitTestServer()
        defer { github.stop() }
        let repository = try github.makeRepository("octo/restarts.git")
        let sha = try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo built from the forge]\n"])
        let elsewhere = try await RecordingGitServer()
        defer { elsewhere.stop() }
        try await withTestApp(environment: pipelineEnvironment(forgeEnvironment(forge, gitBase: github.baseURL))) { client, configuration in
            let session = try await client.register()
            let key = try await client.createAPIKey(access: session.access)
            await forge.grantRead(provider: "github", fullName: "octo/restarts", token: "gh-token")
            let connected = try await client.connectRepository(access: session.access, provider: "github", fullName: "octo/restarts", accessToken: "gh-token")
            let secret = try #require(connected["webhook_secret"] as? String)
            let elsewhereURL = "\(elsewhere.baseURL)/octo/restarts.git"
            let (event, push) = StatusPipelineTests.push(provider: "github", fullName: "octo/restarts", sha: sha, cloneURL: elsewhereURL)
            let answer = try await client.deliver(SignedDelivery(provider: "github", event: event, body: Array(push.utf8)), secret: secret)
            let original = try #require(try json(answer)["pipeline_id"] as? String, "\(text(answer))")
            #expect(try await client.awaitPipeline(original, key: key)["status"] as? String == "success")
            // What a row stored before clone URLs were rebuilt from the forge's host may hold.
            try await Self.setRepoURL(original, elsewhereURL, configuration)

            let response = try await client.send(.post, "/api/v1/pipelines/\(original)/restart", token: key)
            #expect(response.status == .created, "\(text(response))")
            #expect(try json(response)["repo_url"] as? String == "\(github.baseURL)/octo/restarts.git", "\(text(response))")
            let again = try #require(try json(response)["id"] as? String)
            let rerun = try await client.awaitPipeline(again, key: key)
            #expect(rerun["status"] as? String == "success", "\(rerun)")
            #expect(try await client.logs(again, key: key).contains("built from the forge"))
            #expect(elsewhere.authorizations.isEmpty, "the stored URL's host was asked: \(elsewhere.authorizations)")
        }
    }

    static func setRepoURL(_ pipelineID: String, _ url: String, _ configuration: AppConfiguration) async throws {
        let database = try openDatabase(configuration, logger: Logger(label: "test.restart"))
        do {
            try await database.withConnection { db in
                try await db.raw("UPDATE pipelines SET repo_url = \(bind: url) WHERE id = \(bind: pipelineID)").run()
            }
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    @Test func onlyEndedPipelinesOfTheAccountCanBeRestarted() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-restart-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "busy.git", root: root)
        try repository.commit(["README": "hi\n"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let other = try await client.createAPIKey(access: try await client.register().access)
            let busy = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": ["sleep 60"]])
            _ = try await client.awaitPipeline(busy, key: key, "to start its step") { steps($0).first?.status == "running" }

            let refused = try await client.send(.post, "/api/v1/pipelines/\(busy)/restart", token: key)
            #expect(refused.status == .conflict)
            let error = try #require(try json(refused)["error"] as? [String: Any])
            #expect(error["code"] as? String == "pipeline_not_finished")
            #expect(try await client.send(.post, "/v1/pipelines/\(busy)/restart", token: other).status == .notFound)

            #expect(try await client.send(.post, "/api/v1/pipelines/\(busy)/cancel", token: key).status == .accepted)
            #expect(try await client.awaitPipeline(busy, key: key)["status"] as? String == "canceled")
            #expect(try await client.send(.post, "/api/v1/pipelines/\(busy)/restart", token: key).status == .created)
        }
    }
}
