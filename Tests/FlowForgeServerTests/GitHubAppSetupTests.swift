import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

@Suite("GitHub App setup callback")
struct GitHubAppSetupTests {
    @Test func setupLinksTheInstallationToTheAccountThatStartedIt() async throws {
        try await withTestApp(environment: ["GITHUB_APP_SLUG": "flowforge-test", "FRONTEND_URL": "http://frontend.test"]) { client, configuration in
            #expect(try await client.send(.post, "/api/user/github/install").status == .unauthorized)
            let session = try await client.register()
            let started = try await client.send(.post, "/api/user/github/install", token: session.access)
            #expect(started.status == .ok)
            let url = try #require(try json(started)["install_url"] as? String)
            #expect(url.hasPrefix("https://github.com/apps/flowforge-test/installations/new?state="))
            let state = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "state" }?.value)
            let cookie = String(try #require(started.headers[.setCookie]).split(separator: ";")[0])

            func setup(cookie: String?, state: String) async throws -> TestResponse {
                var headers = HTTPFields()
                if let cookie { headers[.cookie] = cookie }
                let encoded = state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state
                return try await client.execute(uri: "/auth/github/setup?installation_id=99&setup_action=install&state=\(encoded)", method: .get, headers: headers, body: nil)
            }
            #expect(try errorCode(try await setup(cookie: nil, state: state)) == "invalid_install_state")
            #expect(try errorCode(try await setup(cookie: "ff_oauth_nonce=someone-else", state: state)) == "invalid_install_state")

            let linked = try await setup(cookie: cookie, state: state)
            #expect(linked.status == .found)
            #expect(linked.headers[.location] == "http://frontend.test/settings/github?installation_id=99")

            // The installation webhook arriving afterwards keeps the link.
            let database = try openDatabase(configuration, logger: Logger(label: "test"))
            let installations = SQLGitHubInstallationRepository(database: database)
            try await installations.apply(id: 99, account: "octo-org", action: "created", added: ["octo-org/app"], removed: [], at: Clock.nowMillis())
            let installation = try await installations.find(id: 99)
            await database.shutdown()
            #expect(installation?.userID == session.userID)
            #expect(installation?.account == "octo-org")
        }
    }
}
