import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Secrets end to end: the API, a connected repository's webhooks, the real queue, dockerd and log store.
@Suite("secrets in Docker", .needsDocker, .dockerPrerequisites)
struct SecretsRunTests {
    static let repositorySecret = "s3cr3t-Value-42"
    static let certificate = "-----BEGIN TEST-----\nline-one-AAAA\nline-two-BBBB\n-----END TEST-----"

    static let config = """
        steps:
          - name: print
            environment:
              TOKEN: {from_secret: api_token}
              CERT: {from_secret: cert}
            commands:
              - 'echo "whole: $TOKEN"'
              - 'printf "pieces: %s" "${TOKEN%%-*}"; sleep 0.5; printf "%s\\n" "-${TOKEN#*-}"'
              - 'echo "reversed: $(echo "$TOKEN" | awk "{ s = \\"\\"; for (i = length(\\$0); i > 0; i--) s = s substr(\\$0, i, 1); print s }")"'
              - 'echo "$CERT"'
              - 'echo "$CERT" | while read -r line; do echo "line: $line"; sleep 0.1; done'
          - name: other
            commands:
              - 'echo "other sees [${TOKEN:-nothing}] [${CERT:-nothing}]"'
        """

    /// A GitHub pull request from `headRepository` (the base itself, or a fork) at `sha`.
    static func pullRequest(sha: String, headRepository: String, baseURL: String) -> [UInt8] {
        Array(#"{"action":"opened","number":5,"pull_request":{"number":5,"title":"change","head":{"ref":"main","sha":"\#(sha)","repo":{"full_name":"\#(headRepository)","clone_url":"\#(baseURL)/\#(headRepository).git"}},"base":{"ref":"main"}},"repository":{"full_name":"octo/app","clone_url":"\#(baseURL)/octo/app.git"}}"#.utf8)
    }

    @Test func stepsGetTheSecretsTheyAskForMaskedInTheLogAndForksGetNone() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("octo/app.git")
        let sha = try repository.commit(["flowforge.yml": Self.config])
        try GitCommandLine.run(["update-ref", "refs/pull/5/head", sha], in: repository.bareDirectory)
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "github", fullName: "octo/app", token: "reader")
        try await withTestApp(environment: pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL))) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let connected = try await client.connectRepository(access: access, provider: "github", fullName: "octo/app", accessToken: "reader")
            let repositoryID = try #require(connected["id"] as? String)
            let webhookSecret = try #require(connected["webhook_secret"] as? String)
            for body: [String: Any] in [
                ["name": "api_token", "value": "account-wide-value"],
                ["name": "api_token", "value": Self.repositorySecret, "repository_id": repositoryID],
                ["name": "cert", "value": Self.certificate, "pull_requests": true],
            ] {
                let created = try await client.send(.post, "/api/user/secrets", token: access, json: body)
                #expect(created.status == .created, "\(text(created))")
            }

            let delivery = SignedDelivery(provider: "github", event: "pull_request", body: Self.pullRequest(sha: sha, headRepository: "octo/app", baseURL: server.baseURL))
            let answer = try await client.deliver(delivery, secret: webhookSecret)
            let id = try #require(try json(answer)["pipeline_id"] as? String, "\(text(answer))")
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let log = try await client.logs(id, key: key)
            for hidden in [Self.repositorySecret, "s3cr3t", "Value-42", "line-one-AAAA", "line-two-BBBB", "BEGIN TEST", "account-wide-value"] {
                #expect(!log.contains(hidden), "\(hidden) is visible in:\n\(log)")
            }
            #expect(log.contains("whole: ********"), "\(log)")
            #expect(log.contains("pieces: ********"), "split across two writes with a pause: \(log)")
            // Reversed, it is no longer the secret; that it is the repository's value shows the shadowing.
            #expect(log.contains("reversed: 24-eulaV-t3rc3s"), "\(log)")
            #expect(log.contains("line: ********"), "each line of a multi-line value: \(log)")
            #expect(!log.contains("line: line"), "\(log)")
            #expect(log.contains("other sees [nothing] [nothing]"), "a step that does not ask gets nothing: \(log)")

            // The same commit from a fork: `api_token` (only the repository's counts) is not for pull
            // requests, so the pipeline stops before any step, naming it; `cert` allows them.
            let fork = SignedDelivery(provider: "github", event: "pull_request", body: Self.pullRequest(sha: sha, headRepository: "forker/app", baseURL: server.baseURL))
            let forkAnswer = try await client.deliver(fork, secret: webhookSecret)
            let forkID = try #require(try json(forkAnswer)["pipeline_id"] as? String, "\(text(forkAnswer))")
            let forked = try await client.awaitPipeline(forkID, key: key)
            #expect(forked["fork"] as? Bool == true)
            #expect(forked["status"] as? String == "error", "\(forked)")
            let error = try #require(forked["error"] as? String)
            #expect(error.contains("`api_token` (step `print`)") && error.contains("forks") && error.contains("pull_requests"), "\(error)")
            #expect(!error.contains("`cert`"), "\(error)")
            #expect(steps(forked).allSatisfy { $0.status != "success" && $0.status != "failure" }, "no step ran: \(forked)")
            #expect(!(try await client.logs(forkID, key: key)).contains("whole"))
        }
    }

    @Test func aMissingSecretIsAnErrorNamingItBeforeAnyStep() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("missing.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: first
                commands: [echo first ran]
              - name: deploy
                image_pull_secret: registry_auth
                env:
                  KEY: {from_secret: deploy_key}
                commands: [echo deploy ran]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("`deploy_key` (step `deploy`)") && error.contains("`registry_auth` (step `deploy`)"), "\(error)")
            #expect(error.contains("do not exist") && error.contains("POST /api/user/secrets"), "\(error)")
            #expect(!(try await client.logs(id, key: key)).contains("first ran"), "no step ran before the error")
        }
    }
}
