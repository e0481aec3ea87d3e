import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

@Suite("GitHub App setup callback")
struct GitHubAppSetupTests {
    /// The setup URL links an installation only when the state checks out and GitHub, asked with the
    /// account's own GitHub sign-in (`GET /user/installations`), lists the installation for that user.
    @Test func setupLinksOnlyInstallationsGitHubConfirmsForTheUser() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let environment = ["GITHUB_APP_SLUG": "flowforge-test", "FRONTEND_URL": "http://frontend.test", "GITHUB_API_URL": forge.baseURL]
        try await withTestApp(environment: environment) { client, configuration in
            #expect(try await client.send(.post, "/api/user/github/install").status == .unauthorized)
            let session = try await client.register()
            let started = try await client.send(.post, "/api/user/github/install", token: session.access)
            #expect(started.status == .ok)
            let url = try #require(try json(started)["install_url"] as? String)
            #expect(url.hasPrefix("https://github.com/apps/flowforge-test/installations/new?state="))
            let state = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "state" }?.value)
            let cookie = String(try #require(started.headers[.setCookie]).split(separator: ";")[0])

            func setup(cookie: String?, state: String, installation: Int = 99) async throws -> TestResponse {
                var headers = HTTPFields()
                if let cookie { headers[.cookie] = cookie }
                let encoded = state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state
                return try await client.execute(uri: "/auth/github/setup?installation_id=\(installation)&setup_action=install&state=\(encoded)", method: .get, headers: headers, body: nil)
            }
            #expect(try errorCode(try await setup(cookie: nil, state: state)) == "invalid_install_state")
            #expect(try errorCode(try await setup(cookie: "ff_oauth_nonce=someone-else", state: state)) == "invalid_install_state")

            // A valid state but no GitHub sign-in to ask with: the id in the query proves nothing.
            let unproven = try await setup(cookie: cookie, state: state)
            #expect(unproven.status == .forbidden)
            #expect(try errorCode(unproven) == "github_account_not_linked")
            #expect(try await linkedUser(99, configuration) == nil)

            try await Self.saveGitHubIdentity(userID: session.userID, token: "gho_user_token", configuration)
            await forge.grantInstallations([5, 6], authorization: "Bearer gho_user_token")
            let notTheirs = try await setup(cookie: cookie, state: state)
            #expect(notTheirs.status == .forbidden)
            #expect(try errorCode(notTheirs) == "installation_not_accessible")
            #expect(try await linkedUser(99, configuration) == nil)
            let asked = await forge.requests().last
            #expect(asked?.path == "/user/installations" && asked?.headers["authorization"] == "Bearer gho_user_token")

            await forge.grantInstallations([5, 99], authorization: "Bearer gho_user_token")
            let linked = try await setup(cookie: cookie, state: state)
            #expect(linked.status == .found)
            #expect(linked.headers[.location] == "http://frontend.test/settings/github?installation_id=99")
            #expect(try await linkedUser(99, configuration) == session.userID)

            // The installation webhook arriving afterwards keeps the link.
            try await withInstallations(configuration) { installations in
                try await installations.apply(id: 99, account: "octo-org", action: "created", added: ["octo-org/app"], removed: [], at: Clock.nowMillis())
                let installation = try await installations.find(id: 99)
                #expect(installation?.userID == session.userID)
                #expect(installation?.account == "octo-org")
            }
        }
    }

    /// `GET /auth/github/install` puts its state in a cookie; setup checks it, and the signed-in dashboard
    /// links with the same proof.
    @Test func plainInstallLinkRoundTripsItsStateAndTheDashboardLinksWithProof() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let environment = ["GITHUB_APP_SLUG": "flowforge-test", "FRONTEND_URL": "http://frontend.test", "GITHUB_API_URL": forge.baseURL]
        try await withTestApp(environment: environment) { client, configuration in
            let install = try await client.execute(uri: "/auth/github/install", method: .get)
            #expect(install.status == .found)
            let location = try #require(install.headers[.location])
            let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
            let cookie = String(try #require(install.headers[.setCookie]).split(separator: ";")[0])

            func setup(cookie: String, state: String) async throws -> TestResponse {
                try await client.execute(uri: "/auth/github/setup?installation_id=77&state=\(state)", method: .get, headers: [.cookie: cookie], body: nil)
            }
            #expect(try errorCode(try await setup(cookie: "\(GitHubAppInstallController.stateCookie)=other", state: state)) == "invalid_install_state")
            let back = try await setup(cookie: cookie, state: state)
            #expect(back.status == .found)
            #expect(back.headers[.location] == "http://frontend.test/settings/github?installation_id=77&link=required")
            #expect(try await linkedUser(77, configuration) == nil, "the state names no account: nothing is linked yet")

            let session = try await client.register()
            try await Self.saveGitHubIdentity(userID: session.userID, token: "gho_dash", configuration)
            await forge.grantInstallations([1], authorization: "Bearer gho_dash")
            let refused = try await client.send(.post, "/api/user/github/installations", token: session.access, json: ["installation_id": 77])
            #expect(refused.status == .forbidden)
            #expect(try errorCode(refused) == "installation_not_accessible")
            await forge.grantInstallations([77], authorization: "Bearer gho_dash")
            let done = try await client.send(.post, "/api/user/github/installations", token: session.access, json: ["installation_id": 77])
            #expect(done.status == .ok, "\(text(done))")
            #expect(try await linkedUser(77, configuration) == session.userID)
        }
    }

    /// GitHub lists an organisation's installation for every collaborator of any repository in it, so a
    /// second account with that same proof must not take over a linked installation.
    @Test func aLinkedInstallationNeverMovesToAnotherAccount() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let environment = ["GITHUB_APP_SLUG": "flowforge-test", "FRONTEND_URL": "http://frontend.test", "GITHUB_API_URL": forge.baseURL]
        try await withTestApp(environment: environment) { client, configuration in
            let owner = try await client.register(), collaborator = try await client.register()
            try await Self.saveGitHubIdentity(userID: owner.userID, token: "gho_owner", configuration)
            try await Self.saveGitHubIdentity(userID: collaborator.userID, token: "gho_collaborator", githubID: "5151", login: "collab", configuration)
            await forge.grantInstallations([55], authorization: "Bearer gho_owner")
            await forge.grantInstallations([55], authorization: "Bearer gho_collaborator")
            try await withInstallations(configuration) { installations in
                try await installations.apply(id: 55, account: "octo-org", action: "created", added: ["octo-org/app"], removed: [], at: Clock.nowMillis())
            }

            let first = try await client.send(.post, "/api/user/github/installations", token: owner.access, json: ["installation_id": 55])
            #expect(first.status == .ok, "\(text(first))")
            let takeover = try await client.send(.post, "/api/user/github/installations", token: collaborator.access, json: ["installation_id": 55])
            #expect(takeover.status == .conflict, "\(text(takeover))")
            #expect(try errorCode(takeover) == "installation_already_linked")
            #expect(text(takeover).contains("octo-org"), "the message says whose installation it is: \(text(takeover))")
            #expect(try await linkedUser(55, configuration) == owner.userID)
            let again = try await client.send(.post, "/api/user/github/installations", token: owner.access, json: ["installation_id": 55])
            #expect(again.status == .ok, "linking twice from the same account stays safe: \(text(again))")
            #expect(try await linkedUser(55, configuration) == owner.userID)
        }
    }

    /// A linked installation covers several repositories; connecting one of them through it needs GitHub,
    /// asked with the user's own sign-in, to list that repository for the user within the installation.
    @Test func connectingThroughAnInstallationNeedsPerRepositoryProof() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let environment = ["GITHUB_APP_SLUG": "flowforge-test", "FRONTEND_URL": "http://frontend.test", "GITHUB_API_URL": forge.baseURL]
        try await withTestApp(environment: environment) { client, configuration in
            let user = try await client.register()
            try await withInstallations(configuration) { installations in
                try await installations.apply(id: 66, account: "octo-org", action: "created", added: ["octo-org/open", "octo-org/secret"], removed: [], at: Clock.nowMillis())
                #expect(try await installations.link(id: 66, userID: user.userID))
            }
            func connect(_ name: String) async throws -> TestResponse {
                try await client.send(.post, "/api/user/repositories", token: user.access, json: ["provider": "github", "full_name": name])
            }
            let noSignIn = try await connect("octo-org/open")
            #expect(noSignIn.status == .unprocessableContent, "\(text(noSignIn))")
            #expect(try errorCode(noSignIn) == "repository_access_unconfirmed")

            try await Self.saveGitHubIdentity(userID: user.userID, token: "gho_member", configuration)
            await forge.grantInstallationRepositories(66, ["Octo-Org/Open"], authorization: "Bearer gho_member")
            let notReadable = try await connect("octo-org/secret")
            #expect(notReadable.status == .unprocessableContent, "\(text(notReadable))")
            #expect(try errorCode(notReadable) == "repository_access_unconfirmed")
            let asked = await forge.requests().last
            #expect(asked?.path == "/user/installations/66/repositories" && asked?.headers["authorization"] == "Bearer gho_member")

            let readable = try await connect("octo-org/open")
            #expect(readable.status == .created, "\(text(readable))")
        }
    }

    static func saveGitHubIdentity(userID: String, token: String, githubID: String = "4242", login: String = "octocat", _ configuration: AppConfiguration) async throws {
        let box = SecretBox(configuration: configuration)
        let database = try openDatabase(configuration, logger: Logger(label: "test"))
        do {
            try await SQLOAuthIdentityRepository(database: database).save(OAuthIdentityRecord(
                provider: "github", providerUserID: githubID, userID: userID, login: login,
                accessTokenSealed: try box.seal(token, purpose: "oauth_identities:github:\(githubID):access"), refreshTokenSealed: nil
            ), at: Clock.nowMillis())
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }

    private func linkedUser(_ id: Int64, _ configuration: AppConfiguration) async throws -> String? {
        var user: String?
        try await withInstallations(configuration) { user = try await $0.find(id: id)?.userID }
        return user
    }

    private func withInstallations(_ configuration: AppConfiguration, _ body: (any GitHubInstallationRepository) async throws -> Void) async throws {
        let database = try openDatabase(configuration, logger: Logger(label: "test"))
        do {
            try await body(SQLGitHubInstallationRepository(database: database))
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
    }
}
