@testable import FlowForgeForges
import FlowForgeTestSupport
import Foundation
import NIOHTTP1
import Testing
@testable import FlowForgeServer

/// A push of a connected GitHub repository whose `flowforge serve` is killed (SIGKILL) mid-step: after a
/// restart the pipeline runs to its end once, and the forge (a fake GitHub API on 127.0.0.1) gets its final
/// status exactly once, the last thing it hears.
@Suite("crash and commit statuses", .needsDocker, .dockerPrerequisites)
struct ServerCrashStatusTests {
    @Test func aCrashMidStepStillDeliversTheFinalStatusOnce() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let git = try GitTestServer()
        defer { git.stop() }
        let repository = try git.makeRepository("octo/crash.git")
        let sha = try repository.commit(["flowforge.yml": """
            steps:
              - name: wait
                commands: ["while [ ! -f /workspace/go ]; do sleep 0.05; done"]
            """])
        await forge.grantRead(provider: "github", fullName: "octo/crash", token: "github-token")
        var extra = forgeEnvironment(forge, gitBase: git.baseURL)
        extra["FLOWFORGE_STATUS_RETRY_BASE_MS"] = "50"
        let installation = try await ServerRestartTests.Installation.make(extra)
        defer { Task { await installation.remove() } }
        let port = ServerProcess.freePort()
        var server = try await installation.serve(port: port)
        let client = ServerProcessClient(port: port)
        let (access, keyOfOwner) = try await client.account()
        let connected = try await client.object(.POST, "/api/user/repositories", token: access, json: [
            "provider": "github", "full_name": "octo/crash", "access_token": "github-token",
        ])
        let secret = try #require(connected["webhook_secret"] as? String, "\(connected)")
        let body = #"{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"\#(sha)","deleted":false,"repository":{"full_name":"octo/crash","clone_url":"\#(repository.httpURL ?? "")"},"head_commit":{"id":"\#(sha)","message":"m"}}"#
        let delivery = try await client.deliver(body: body, secret: secret)
        #expect(delivery.status == 202, "\(delivery.body)")
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])
        let id = try #require(answer["pipeline_id"] as? String)
        _ = try await client.awaitPipeline(id, key: keyOfOwner, "to run its step") { steps($0).first?.status == "running" }

        let firstContainers = Set(DockerTestPrerequisites.containerIDs(pipelineID: id) ?? [])
        #expect(!firstContainers.isEmpty)

        server.signal(SIGKILL)
        #expect(await server.waitForExit(timeout: .seconds(10)) != nil)
        server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }
        // The take-over removes the dead attempt's containers, then runs the step in new ones.
        _ = try await client.awaitPipeline(id, key: keyOfOwner, "to run its step in a new container") { pipeline in
            let now = Set(DockerTestPrerequisites.containerIDs(pipelineID: id) ?? [])
            // A lone step runs without a pod: one container at least, none of them the dead attempt's.
            return steps(pipeline).first?.status == "running" && !now.isEmpty && now.isDisjoint(with: firstContainers)
        }
        installation.letStepFinish(id)
        let finished = try await client.awaitPipeline(id, key: keyOfOwner, "to finish") { ($0["status"] as? String) == "success" }
        #expect(steps(finished).map(\.status) == ["success"])

        let statuses = await forge.awaitStatusRequests(timeout: .seconds(60)) { seen in
            seen.contains { $0.state == "success" && $0.answered == 201 }
        }
        let delivered = statuses.filter { $0.answered == 201 }
        #expect(delivered.filter { $0.state == "success" }.count == 1, "\(statuses)")
        #expect(delivered.last?.state == "success", "the final status is the last one: \(statuses)")
        #expect(statuses.allSatisfy { $0.sha == sha && $0.context == "flowforge/ci/push" }, "\(statuses)")
    }
}

extension ServerProcessClient {
    /// A signed GitHub push delivery.
    func deliver(body: String, secret: String) async throws -> (status: Int, body: String) {
        try await send(.POST, "/api/webhooks/github", headers: [
            ("X-GitHub-Event", "push"), ("X-GitHub-Delivery", UUID().uuidString),
            ("X-Hub-Signature-256", WebhookSignature.sha256Header(body: Array(body.utf8), secret: secret)),
        ], raw: Data(body.utf8))
    }
}
