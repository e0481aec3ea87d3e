import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

@Suite("OAuth sign-in and connect")
struct OAuthTests {
    static func environment(fake: String) -> [String: String] {
        [
            "GITHUB_CLIENT_ID": "client-id", "GITHUB_CLIENT_SECRET": "client-secret", "GITHUB_URL": fake, "GITHUB_API_URL": fake,
            "GITLAB_CLIENT_ID": "client-id", "GITLAB_CLIENT_SECRET": "client-secret", "GITLAB_URL": fake,
            "FRONTEND_URL": "http://frontend.test", "API_BASE_URL": "http://api.test",
        ]
    }

    /// Starts the flow and returns (authorize URL, state, cookie header to send back).
    static func begin(_ client: any TestClientProtocol, _ path: String, method: HTTPRequest.Method = .get, token: String? = nil) async throws -> (URLComponents, String, String) {
        let response = try await client.send(method, path, token: token)
        let location: String
        if method == .get {
            #expect(response.status == .found)
            location = try #require(response.headers[.location])
        } else {
            location = try #require(try json(response)["authorize_url"] as? String)
        }
        let components = try #require(URLComponents(string: location))
        let state = try #require(components.queryItems?.first { $0.name == "state" }?.value)
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
        return (components, state, String(setCookie.split(separator: ";")[0]))
    }

    static func finish(_ client: any TestClientProtocol, _ forge: String, state: String, cookie: String?, code: String = "good-code") async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie { headers[.cookie] = cookie }
        let query = "code=\(code)&state=\(state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state)"
        return try await client.execute(uri: "/auth/\(forge)/callback?\(query)", method: .get, headers: headers, body: nil)
    }

    /// The tokens from the redirect's fragment.
    static func fragment(_ response: TestResponse) throws -> [String: String] {
        let location = try #require(response.headers[.location])
        #expect(location.hasPrefix("http://frontend.test/auth/callback#"))
        let pairs = try #require(location.split(separator: "#").last).split(separator: "&").map { $0.split(separator: "=", maxSplits: 1) }
        return Dictionary(uniqueKeysWithValues: pairs.map { (String($0[0]), String($0[1])) })
    }

    @Test func gitHubSignInCreatesThenReusesTheAccount() async throws {
        let fake = FakeOAuthForge()
        try await fake.run { base in
            try await withTestApp(environment: Self.environment(fake: base)) { client, configuration in
                let (authorize, state, cookie) = try await Self.begin(client, "/auth/github")
                #expect(authorize.string?.hasPrefix(base + "/login/oauth/authorize") == true)
                #expect(authorize.queryItems?.first { $0.name == "redirect_uri" }?.value == "http://api.test/auth/github/callback")
                #expect(authorize.queryItems?.first { $0.name == "client_id" }?.value == "client-id")

                let done = try await Self.finish(client, "github", state: state, cookie: cookie)
                #expect(done.status == .found)
                let tokens = try Self.fragment(done)
                let profile = try json(try await client.send(.get, "/api/user/profile", token: try #require(tokens["access_token"])))
                #expect(profile["email"] as? String == "octo@example.com")
                #expect(fake.tokenRequests.withLock { $0.last?.form["grant_type"] } == "authorization_code")

                // The forge token is kept sealed, not in the clear.
                let database = try openDatabase(configuration, logger: Logger(label: "test"))
                let identity = try #require(try await SQLOAuthIdentityRepository(database: database).find(provider: "github", providerUserID: "4242"))
                await database.shutdown()
                #expect(!identity.accessTokenSealed.contains(FakeOAuthForge.grantedToken))
                #expect(try SecretBox(configuration: configuration).open(identity.accessTokenSealed, purpose: "oauth_identities:github:4242:access") == FakeOAuthForge.grantedToken)

                let (_, again, againCookie) = try await Self.begin(client, "/auth/github")
                let second = try Self.fragment(try await Self.finish(client, "github", state: again, cookie: againCookie))
                let secondProfile = try json(try await client.send(.get, "/api/user/profile", token: try #require(second["access_token"])))
                #expect(secondProfile["id"] as? String == profile["id"] as? String)
            }
        }
    }

    @Test func callbackRefusesAForeignOrMissingState() async throws {
        let fake = FakeOAuthForge()
        try await fake.run { base in
            try await withTestApp(environment: Self.environment(fake: base)) { client, _ in
                let (_, state, _) = try await Self.begin(client, "/auth/github")
                let (_, _, otherCookie) = try await Self.begin(client, "/auth/github")
                for cookie in [nil, otherCookie] {
                    let response = try await Self.finish(client, "github", state: state, cookie: cookie)
                    #expect(response.status == .badRequest)
                    #expect(try errorCode(response) == "invalid_oauth_state")
                }
                let forged = try await Self.finish(client, "github", state: "not-a-state", cookie: otherCookie)
                #expect(try errorCode(forged) == "invalid_oauth_state")

                let (_, good, cookie) = try await Self.begin(client, "/auth/github")
                let badCode = try await Self.finish(client, "github", state: good, cookie: cookie, code: "stolen")
                #expect(badCode.status == .badGateway)
                #expect(try errorCode(badCode) == "oauth_failed")

                let unconfigured = try await client.send(.get, "/auth/bitbucket")
                #expect(unconfigured.status == .notFound)
                #expect(try errorCode(unconfigured) == "oauth_not_configured")
            }
        }
    }

    @Test func signedInUserConnectsGitLab() async throws {
        let fake = FakeOAuthForge()
        try await fake.run { base in
            try await withTestApp(environment: Self.environment(fake: base)) { client, _ in
                let session = try await client.register(email: "owner@example.com")
                #expect(try await client.send(.post, "/api/user/oauth/gitlab/authorize").status == .unauthorized)
                let (authorize, state, cookie) = try await Self.begin(client, "/api/user/oauth/gitlab/authorize", method: .post, token: session.access)
                #expect(authorize.string?.hasPrefix(base + "/oauth/authorize") == true)
                let tokens = try Self.fragment(try await Self.finish(client, "gitlab", state: state, cookie: cookie))
                #expect(tokens["linked"] == "gitlab")
                let profile = try json(try await client.send(.get, "/api/user/profile", token: try #require(tokens["access_token"])))
                #expect(profile["id"] as? String == session.userID)

                // The same GitLab account cannot then be linked to a second FlowForge account.
                let other = try await client.register()
                let (_, otherState, otherCookie) = try await Self.begin(client, "/api/user/oauth/gitlab/authorize", method: .post, token: other.access)
                let taken = try await Self.finish(client, "gitlab", state: otherState, cookie: otherCookie)
                #expect(taken.status == .conflict)
            }
        }
    }
}
