import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// Pre-account takeover: someone registers a password account under another person's e-mail before that
/// person first signs in with their forge. A forge sign-in must then never land in (or hand its identity to)
/// that account; only the signed-in owner of an account links a forge to it.
@Suite("OAuth: no account is linked by e-mail alone")
struct OAuthTakeoverTests {
    @Test func aForgeSignInMatchingAPasswordAccountIsRefusedUntilTheOwnerLinksIt() async throws {
        let fake = FakeOAuthForge()
        try await fake.run { base in
            try await withTestApp(environment: OAuthTests.environment(fake: base)) { client, configuration in
                // The fake GitHub user's verified primary e-mail is octo@example.com.
                let existing = try await client.register(email: "octo@example.com", password: "existings-password")

                let (_, state, cookie) = try await OAuthTests.begin(client, "/auth/github")
                let refused = try await OAuthTests.finish(client, "github", state: state, cookie: cookie)
                #expect(refused.status == .conflict)
                #expect(try errorCode(refused) == "account_exists")
                let message = try #require((try json(refused)["error"] as? [String: Any])?["message"] as? String)
                #expect(message.contains("sign in with your password") && message.contains("/api/user/oauth/github/authorize"))
                #expect(refused.headers[.location] == nil, "no session may be handed out")

                let database = try openDatabase(configuration, logger: Logger(label: "test"))
                let identities = SQLOAuthIdentityRepository(database: database)
                let stored = try await identities.find(provider: "github", providerUserID: "4242")
                #expect(stored == nil, "the forge identity must not be attached to the existing account")

                // Signed in with the password, the account's holder links GitHub explicitly; from then on a
                // GitHub sign-in lands in that account.
                let (_, linkState, linkCookie) = try await OAuthTests.begin(client, "/api/user/oauth/github/authorize", method: .post, token: existing.access)
                let linked = try OAuthTests.fragment(try await OAuthTests.finish(client, "github", state: linkState, cookie: linkCookie))
                #expect(linked["linked"] == "github")
                let (_, again, againCookie) = try await OAuthTests.begin(client, "/auth/github")
                let signedIn = try OAuthTests.fragment(try await OAuthTests.finish(client, "github", state: again, cookie: againCookie))
                let profile = try json(try await client.send(.get, "/api/user/profile", token: try #require(signedIn["access_token"])))
                #expect(profile["id"] as? String == existing.userID)
                let linkedIdentity = try await identities.find(provider: "github", providerUserID: "4242")
                #expect(linkedIdentity?.userID == existing.userID)
                await database.shutdown()
            }
        }
    }
}
