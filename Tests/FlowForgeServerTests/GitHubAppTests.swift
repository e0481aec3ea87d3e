import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// The GitHub App: its JWT, installation tokens from a fake GitHub, statuses posted with them, settings
/// and the install redirect.
@Suite("GitHub App")
struct GitHubAppTests {
    let logger = Logger(label: "test.github-app")

    @Test func appJWTCarriesTheClaimsGitHubRequires() async throws {
        let key = try TestGitHubAppKey()
        let jwt = try await GitHubAppJWT(appID: "4242", privateKeyPEM: key.privateKeyPEM)
        let now = Date()
        let token = try await jwt.make(now: now)

        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let header = try #require(try JSONSerialization.jsonObject(with: base64URL(parts[0])) as? [String: Any])
        #expect(header["alg"] as? String == "RS256")
        let claims = try #require(await key.verifiedClaims(token), "the signature must check against the App's public key")
        #expect(claims.iss.value == "4242")
        let issuedAt = claims.iat.value.timeIntervalSince1970, expires = claims.exp.value.timeIntervalSince1970
        #expect(abs(issuedAt - (now.timeIntervalSince1970 - 60)) < 1, "iat is 60 s in the past")
        #expect(expires > now.timeIntervalSince1970 && expires - issuedAt <= 600, "GitHub refuses a JWT living over 10 minutes")

        let other = try TestGitHubAppKey()
        #expect(await other.verifiedClaims(token) == nil, "another key does not verify it")
    }

    @Test func installationTokensAreCachedUntilFiveMinutesBeforeTheyExpire() async throws {
        let key = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        let tokens = GitHubInstallationTokens(
            apiBaseURL: forge.baseURL, jwt: try await GitHubAppJWT(appID: "4242", privateKeyPEM: key.privateKeyPEM),
            httpClient: .shared, logger: logger
        )
        let first = try await tokens.token(installationID: 7)
        #expect(first.hasPrefix("ghs_fake_7_"))
        #expect(try await tokens.token(installationID: 7) == first)
        #expect(await forge.requests().count == 1, "the second call is served from the cache")
        #expect(await forge.requests().first?.path == "/app/installations/7/access_tokens")

        _ = try await tokens.token(installationID: 8)
        #expect(await forge.requests().count == 2, "each installation has its own token")
        // 56 minutes on, the 60-minute token has under 5 minutes left: a new one is fetched.
        let later = try await tokens.token(installationID: 7, now: Date().addingTimeInterval(56 * 60))
        #expect(later != first && later.hasPrefix("ghs_fake_7_"))
        #expect(await forge.requests().count == 3)
    }

    @Test func aJWTFromTheWrongKeyIsRefusedWithAClearError() async throws {
        let key = try TestGitHubAppKey(), wrong = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        let tokens = GitHubInstallationTokens(
            apiBaseURL: forge.baseURL, jwt: try await GitHubAppJWT(appID: "4242", privateKeyPEM: wrong.privateKeyPEM),
            httpClient: .shared, logger: logger
        )
        do {
            _ = try await tokens.token(installationID: 7)
            Issue.record("a token was issued for a JWT signed with the wrong key")
        } catch let error as GitHubAppError {
            guard case .tokenRefused(7, 401, _) = error else { throw error }
            #expect(error.description.contains("GITHUB_APP_PRIVATE_KEY"))
        }
    }

    @Test func statusesOfAnInstalledRepositoryUseTheInstallationToken() async throws {
        let key = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        try await StatusStoreFixture.with { fixture in
            let now = Clock.nowMillis()
            // Linked to the repository's account; named with capitals, as GitHub reports names, while the
            // connected repository is stored lower-cased: one rule (RepositoryName) must match them.
            let installations = SQLGitHubInstallationRepository(database: fixture.database)
            try await installations.apply(id: 99, account: "Octo", action: "created", added: ["Octo/App"], removed: [], at: now)
            #expect(try await installations.link(id: 99, userID: fixture.userID))
            let tokens = GitHubInstallationTokens(
                apiBaseURL: forge.baseURL, jwt: try await GitHubAppJWT(appID: "4242", privateKeyPEM: key.privateKeyPEM),
                httpClient: .shared, logger: logger
            )
            let service = fixture.service(forge: forge, tokens: tokens)
            try await fixture.outbox.enqueue(fixture.status("github", state: "pending", sequence: 1), now: now)
            try await fixture.attempt(service)
            try await fixture.outbox.enqueue(fixture.status("github", state: "success", sequence: 2), now: now)
            try await fixture.attempt(service)

            let statuses = await forge.statusRequests()
            #expect(statuses.map(\.state) == ["pending", "success"])
            #expect(statuses.allSatisfy { $0.headers["authorization"] == "Bearer ghs_fake_99_1" }, "\(statuses)")
            #expect(await forge.requests().filter { $0.api == "app" }.count == 1)
        }
    }

    /// An installation linked to another account (or to none) never posts for this repository: its own
    /// token does.
    @Test func anotherAccountsInstallationIsNotUsedForStatuses() async throws {
        let key = try TestGitHubAppKey()
        let forge = try await FakeForge(verifyAppJWT: key.verifier(appID: "4242"))
        defer { forge.stop() }
        try await StatusStoreFixture.with { fixture in
            let now = Clock.nowMillis()
            let stranger = UUID().uuidString.lowercased()
            try await fixture.database.withConnection { db in
                try await db.raw("""
                    INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
                    VALUES (\(bind: stranger), \(bind: "\(stranger)@example.com"), 'x', 'free', \(bind: now), \(bind: now))
                    """).run()
                try await db.raw("INSERT INTO github_installations (id, account, user_id, created_at, updated_at) VALUES (98, 'octo', \(bind: stranger), \(bind: now), \(bind: now))").run()
                try await db.raw("INSERT INTO github_installations (id, account, created_at, updated_at) VALUES (97, 'octo', \(bind: now), \(bind: now))").run()
                try await db.raw("INSERT INTO github_installation_repositories (installation_id, full_name) VALUES (98, 'octo/app'), (97, 'octo/app')").run()
            }
            let tokens = GitHubInstallationTokens(
                apiBaseURL: forge.baseURL, jwt: try await GitHubAppJWT(appID: "4242", privateKeyPEM: key.privateKeyPEM),
                httpClient: .shared, logger: logger
            )
            try await fixture.outbox.enqueue(fixture.status("github", state: "pending", sequence: 1), now: now)
            try await fixture.attempt(fixture.service(forge: forge, tokens: tokens))
            let statuses = await forge.statusRequests()
            #expect(statuses.map { $0.headers["authorization"] } == ["Bearer \(StatusStoreFixture.token)"], "\(statuses)")
            #expect(await forge.requests().filter { $0.api == "app" }.isEmpty)
        }
    }

    @Test func settingsAreCheckedAtStartUp() throws {
        let key = try TestGitHubAppKey()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-appcfg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = ["FLOWFORGE_DATA_DIR": directory.path]
        func problem(_ extra: [String: String]) -> String? {
            do {
                _ = try AppConfiguration.fromEnvironment(base.merging(extra) { _, new in new })
                return nil
            } catch let error as ConfigurationError {
                return error.variable
            } catch {
                return "\(error)"
            }
        }
        #expect(problem(["GITHUB_APP_ID": "12"]) == "GITHUB_APP_PRIVATE_KEY")
        #expect(problem(["GITHUB_APP_PRIVATE_KEY": key.privateKeyPEM]) == "GITHUB_APP_ID")
        #expect(problem(["GITHUB_APP_ID": "twelve", "GITHUB_APP_PRIVATE_KEY": key.privateKeyPEM]) == "GITHUB_APP_ID")
        #expect(problem(["GITHUB_APP_ID": "12", "GITHUB_APP_PRIVATE_KEY": "not a key"]) == "GITHUB_APP_PRIVATE_KEY")
        #expect(problem(["GITHUB_API_URL": "api.github.com"]) == "GITHUB_API_URL")
        #expect(problem(["GITLAB_URL": "ftp://gitlab.example"]) == "GITLAB_URL")

        let oneLine = key.privateKeyPEM.replacingOccurrences(of: "\n", with: "\\n")
        let configuration = try AppConfiguration.fromEnvironment(base.merging([
            "GITHUB_APP_ID": "12", "GITHUB_APP_PRIVATE_KEY": oneLine, "GITHUB_API_URL": "https://ghe.example/api/v3/",
        ]) { _, new in new })
        #expect(configuration.gitHubApp?.appID == "12")
        #expect(configuration.gitHubAPIURL == "https://ghe.example/api/v3")
        #expect(configuration.gitLabURL == "https://gitlab.com" && configuration.bitbucketAPIURL == "https://api.bitbucket.org")
    }

    @Test func installRedirectsToTheAppsInstallPageWithAState() async throws {
        for slug in ["flowforge-ci", nil] as [String?] {
            let router = Router(context: AppRequestContext.self)
            router.add(middleware: ErrorMiddleware())
            router.addRoutes(GitHubAppInstallController(slug: slug, secureCookies: true).endpoints)
            try await Application(router: router).test(.router) { client in
                let response = try await client.execute(uri: "/auth/github/install", method: .get)
                guard slug != nil else {
                    #expect(response.status == .notFound)
                    #expect(try errorCode(response) == "github_app_not_configured")
                    return
                }
                #expect(response.status == .found)
                let location = try #require(response.headers[.location])
                let prefix = "https://github.com/apps/flowforge-ci/installations/new?state="
                #expect(location.hasPrefix(prefix))
                let state = String(location.dropFirst(prefix.count))
                #expect(state.count >= 40)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("\(GitHubAppInstallController.stateCookie)=\(state);"))
                #expect(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax"))
            }
        }
    }

    private func base64URL(_ text: String) throws -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return try #require(Data(base64Encoded: base64))
    }
}
