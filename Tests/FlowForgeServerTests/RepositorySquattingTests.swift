import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// The squatting attack end to end: an account connects another organisation's repository, points it at
/// its own git server and signs a push with the secret it was given. It must never receive the victim's
/// GitHub App installation token, and the victim's linked installation must keep working for the victim.
@Suite("repository squatting", .needsDocker, .dockerPrerequisites)
struct RepositorySquattingTests {
    static let appSecret = "app-webhook-secret-for-squatting"

    @Test func aSquatterNeverGetsTheVictimsInstallationToken() async throws {
        let key = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        // The real forge host: private, so only the App's installation token clones it. The fake forge
        // numbers tokens in issue order, and only the victim's pipeline may cause one: the first.
        let github = try GitTestServer(user: "x-access-token", password: "ghs_fake_77_1")
        defer { github.stop() }
        let repository = try github.makeRepository("victim-org/app.git")
        let sha = try repository.commit(["flowforge.yml": "steps:\n  - name: build\n    commands: [echo built for the victim]\n"])
        let attackerServer = try await RecordingGitServer()
        defer { attackerServer.stop() }

        var environment = pipelineEnvironment(forgeEnvironment(forge, gitBase: github.baseURL))
        environment.merge([
            "GITHUB_APP_ID": "4242", "GITHUB_APP_PRIVATE_KEY": key.privateKeyPEM, "GITHUB_APP_WEBHOOK_SECRET": Self.appSecret,
            "FLOWFORGE_STATUS_RETRY_BASE_MS": "50",
        ]) { _, new in new }
        try await withTestApp(environment: environment) { client, configuration in
            let victim = try await client.register(), attacker = try await client.register()
            let victimKey = try await client.createAPIKey(access: victim.access)
            let attackerKey = try await client.createAPIKey(access: attacker.access)
            try await Self.recordInstallation(77, of: "victim-org", reaching: ["victim-org/app"], linkedTo: victim.userID, configuration)
            let (event, push) = StatusPipelineTests.push(provider: "github", fullName: "victim-org/app", sha: sha, cloneURL: "\(attackerServer.baseURL)/victim-org/app.git")

            // The installation linked to the victim, within which GitHub lists the repository for the victim's
            // own GitHub sign-in, is the victim's proof of access: no token needed.
            try await GitHubAppSetupTests.saveGitHubIdentity(userID: victim.userID, token: "gho_victim", configuration)
            await forge.grantInstallationRepositories(77, ["victim-org/app"], authorization: "Bearer gho_victim")
            _ = try await client.connectRepository(access: victim.access, provider: "github", fullName: "victim-org/app")

            // 1. The attack as reported: the victim's name, the attacker's clone_url.
            let squat = try await client.send(.post, "/api/user/repositories", token: attacker.access, json: [
                "provider": "github", "full_name": "victim-org/app", "clone_url": "\(attackerServer.baseURL)/victim-org/app.git",
            ])
            #expect(squat.status == .unprocessableContent, "\(text(squat))")
            if squat.status == .created, let secret = try json(squat)["webhook_secret"] as? String {
                let answer = try await client.deliver(SignedDelivery(provider: "github", event: event, body: Array(push.utf8)), secret: secret)
                if let id = try? json(answer)["pipeline_id"] as? String { _ = try await client.awaitPipeline(id, key: attackerKey) }
            }
            #expect(attackerServer.authorizations.isEmpty, "the attacker's git server received \(attackerServer.authorizations)")

            // 2. The same name with the attacker's own token (which can read a public repository): connected
            // in the attacker's account, cloned from github's own host, and never with the App's token.
            await forge.grantRead(provider: "github", fullName: "victim-org/app", token: "attacker-token")
            let own = try await client.connectRepository(access: attacker.access, provider: "github", fullName: "victim-org/app", accessToken: "attacker-token")
            #expect(own["clone_url"] as? String == "\(github.baseURL)/victim-org/app.git")
            let ownSecret = try #require(own["webhook_secret"] as? String)
            let attackerRun = try await client.deliver(SignedDelivery(provider: "github", event: event, body: Array(push.utf8)), secret: ownSecret)
            let attackerID = try #require(try json(attackerRun)["pipeline_id"] as? String, "\(text(attackerRun))")
            let attackerPipeline = try await client.awaitPipeline(attackerID, key: attackerKey)
            #expect(attackerPipeline["status"] as? String == "error", "the private repository must not clone for the attacker: \(attackerPipeline)")
            #expect(await forge.requests().filter { $0.api == "app" }.isEmpty, "no installation token may be fetched for the attacker's pipeline")
            #expect(attackerServer.authorizations.isEmpty)

            // 3. The App's own delivery of the push goes to the linked account only, and clones with its token.
            let appRun = try await client.deliver(SignedDelivery(provider: "github", event: event, body: Array(push.utf8)), secret: Self.appSecret)
            let victimID = try #require(try json(appRun)["pipeline_id"] as? String, "\(text(appRun))")
            let victimPipeline = try await client.awaitPipeline(victimID, key: victimKey)
            #expect(victimPipeline["status"] as? String == "success", "\(victimPipeline)")
            #expect(try await client.logs(victimID, key: victimKey).contains("built for the victim"))
            #expect(try await client.pipelines(key: attackerKey).count == 1, "the App delivery started nothing in the attacker's account")
            #expect(await forge.requests().filter { $0.api == "app" }.map(\.path).allSatisfy { $0 == "/app/installations/77/access_tokens" })
        }
    }

    static func recordInstallation(_ id: Int64, of account: String, reaching names: [String], linkedTo userID: String, _ configuration: AppConfiguration) async throws {
        let database = try openDatabase(configuration, logger: Logger(label: "test"))
        do {
            let installations = SQLGitHubInstallationRepository(database: database)
            try await installations.apply(id: id, account: account, action: "created", added: names, removed: [], at: Clock.nowMillis())
            _ = try await installations.link(id: id, userID: userID)
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
