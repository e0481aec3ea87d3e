import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("accounts: profile and API keys")
struct ProfileAndKeyRouteTests {
    @Test func profileNeedsAValidAccessToken() async throws {
        try await withTestApp { client, _ in
            #expect(try await client.send(.get, "/api/user/profile").status == .unauthorized)
            let bad = try await client.send(.get, "/api/user/profile", token: "not.a.jwt")
            #expect(bad.status == .unauthorized)
            #expect(try errorCode(bad) == "invalid_token")
            let session = try await client.register(email: "me@example.com")
            let profile = try await client.send(.get, "/api/user/profile", token: session.access)
            #expect(profile.status == .ok)
            #expect(try json(profile)["email"] as? String == "me@example.com")
            #expect(try json(profile)["id"] as? String == session.userID)
        }
    }

    @Test func changeEmailAndPassword() async throws {
        try await withTestApp { client, _ in
            let session = try await client.register(email: "old@example.com", password: "first-password")
            _ = try await client.register(email: "taken@example.com")

            let taken = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["email": "taken@example.com", "current_password": "first-password"])
            #expect(taken.status == .conflict)
            let invalid = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["email": "nope", "current_password": "first-password"])
            #expect(invalid.status == .unprocessableContent)
            let renamed = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["email": "new@example.com", "current_password": "first-password"])
            #expect(try json(renamed)["email"] as? String == "new@example.com")

            let noCurrent = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["password": "second-password"])
            #expect(noCurrent.status == .unprocessableContent)
            let wrongCurrent = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["password": "second-password", "current_password": "wrong-one!"])
            #expect(wrongCurrent.status == .forbidden)
            let changed = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["password": "second-password", "current_password": "first-password"])
            #expect(changed.status == .ok)

            let oldLogin = try await client.send(.post, "/api/auth/login", json: ["email": "new@example.com", "password": "first-password"])
            #expect(oldLogin.status == .unauthorized)
            let newLogin = try await client.send(.post, "/api/auth/login", json: ["email": "new@example.com", "password": "second-password"])
            #expect(newLogin.status == .ok)
            // A password change ends the other sessions.
            #expect(try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh]).status == .unauthorized)
        }
    }

    @Test func apiKeyLifecycle() async throws {
        try await withTestApp { client, _ in
            let session = try await client.register()
            let created = try await client.send(.post, "/api/user/api-keys", token: session.access, json: ["name": "deploy bot"])
            #expect(created.status == .created)
            let body = try json(created)
            let key = try #require(body["key"] as? String)
            let id = try #require(body["id"] as? String)
            #expect(key.hasPrefix("ff_"))
            #expect(key.count > 40)
            #expect(key.hasPrefix(try #require(body["prefix"] as? String)))
            #expect(body["name"] as? String == "deploy bot")
            #expect(body["created_at"] is String)

            let list = try await client.send(.get, "/api/user/api-keys", token: session.access)
            #expect(!String(buffer: list.body).contains(key))
            let keys = try #require(try json(list)["api_keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys[0]["last_used_at"] == nil)

            let whoami = try await client.send(.get, "/api/v1/user", token: key)
            #expect(whoami.status == .ok)
            #expect(try json(whoami)["id"] as? String == session.userID)
            #expect(try await client.send(.get, "/v1/user", token: key).status == .ok)
            let used = try json(try await client.send(.get, "/api/user/api-keys", token: session.access))["api_keys"] as? [[String: Any]]
            #expect(used?.first?["last_used_at"] is String)

            #expect(try await client.send(.delete, "/api/user/api-keys/\(id)", token: session.access).status == .noContent)
            let revoked = try await client.send(.get, "/api/v1/user", token: key)
            #expect(revoked.status == .unauthorized)
            #expect(try errorCode(revoked) == "invalid_api_key")
            #expect(try await client.send(.delete, "/api/user/api-keys/\(id)", token: session.access).status == .notFound)
        }
    }

    @Test func keysAndTokensAreNotInterchangeableAndAccountsAreIsolated() async throws {
        try await withTestApp { client, _ in
            let alice = try await client.register()
            let bob = try await client.register()
            let aliceKey = try await client.createAPIKey(access: alice.access)
            let aliceKeyID = try #require((try json(try await client.send(.get, "/api/user/api-keys", token: alice.access))["api_keys"] as? [[String: Any]])?.first?["id"] as? String)

            #expect(try await client.send(.get, "/api/user/profile", token: aliceKey).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/user", token: alice.access).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/user").status == .unauthorized)

            // Bob sees none of Alice's keys and cannot revoke them.
            let bobList = try json(try await client.send(.get, "/api/user/api-keys", token: bob.access))
            #expect((bobList["api_keys"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.delete, "/api/user/api-keys/\(aliceKeyID)", token: bob.access).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/user", token: aliceKey).status == .ok)

            let noName = try await client.send(.post, "/api/user/api-keys", token: alice.access, json: ["name": "  "])
            #expect(noName.status == .unprocessableContent)
        }
    }
}
