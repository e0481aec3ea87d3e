import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("accounts: a password change ends every session")
struct SessionRevocationTests {
    @Test func tokensIssuedBeforeAPasswordChangeStopWorking() async throws {
        try await withTestApp { client, _ in
            let first = try await client.register(email: "ada@example.com", password: "first-password")
            let signIn = try await client.send(.post, "/api/auth/login", json: ["email": "ada@example.com", "password": "first-password"])
            let second = try json(signIn)
            let secondAccess = try #require(second["access_token"] as? String)
            let secondRefresh = try #require(second["refresh_token"] as? String)

            let changed = try await client.send(
                .patch, "/api/user/profile", token: first.access,
                json: ["password": "second-password", "current_password": "first-password"]
            )
            #expect(changed.status == .ok)

            // Every access token from before, also of the other session, is refused …
            for access in [first.access, secondAccess] {
                let profile = try await client.send(.get, "/api/user/profile", token: access)
                #expect(profile.status == .unauthorized)
                #expect(try errorCode(profile) == "invalid_token")
            }
            // … including for minting API keys …
            #expect(try await client.send(.post, "/api/user/api-keys", token: first.access, json: ["name": "stolen"]).status == .unauthorized)
            // … and no refresh token from before mints new ones.
            for refresh in [first.refresh, secondRefresh] {
                #expect(try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": refresh]).status == .unauthorized)
            }

            // A session started right after the change (within the same second) works in full.
            let fresh = try json(try await client.send(.post, "/api/auth/login", json: ["email": "ada@example.com", "password": "second-password"]))
            let freshAccess = try #require(fresh["access_token"] as? String)
            #expect(try await client.send(.get, "/api/user/profile", token: freshAccess).status == .ok)
            #expect(try await client.send(.post, "/api/user/api-keys", token: freshAccess, json: ["name": "ci"]).status == .created)
            let rotated = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": try #require(fresh["refresh_token"] as? String)])
            #expect(rotated.status == .ok)
            #expect(try await client.send(.get, "/api/user/profile", token: try #require(try json(rotated)["access_token"] as? String)).status == .ok)
        }
    }

    @Test func changingTheEmailNeedsTheCurrentPassword() async throws {
        try await withTestApp { client, _ in
            let session = try await client.register(email: "mine@example.com", password: "my-password")
            let without = try await client.send(.patch, "/api/user/profile", token: session.access, json: ["email": "attacker@example.com"])
            #expect(without.status == .unprocessableContent)
            let message = try #require((try json(without)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.hasPrefix("current_password"))
            let wrong = try await client.send(
                .patch, "/api/user/profile", token: session.access, json: ["email": "attacker@example.com", "current_password": "not-mine-1"]
            )
            #expect(wrong.status == .forbidden)
            #expect(try json(try await client.send(.get, "/api/user/profile", token: session.access))["email"] as? String == "mine@example.com")

            let right = try await client.send(
                .patch, "/api/user/profile", token: session.access, json: ["email": "new@example.com", "current_password": "my-password"]
            )
            #expect(right.status == .ok)
            #expect(try json(right)["email"] as? String == "new@example.com")
            // Changing only the e-mail keeps the session.
            #expect(try await client.send(.get, "/api/user/profile", token: session.access).status == .ok)
        }
    }

    /// A refresh that consumed its token just before a password change must not leave a live token behind.
    @Test func aRefreshRacingAPasswordChangeStartsNoLiveToken() async throws {
        try await withMigratedDatabase { database in
            let users = SQLUserRepository(database: database)
            let tokens = SQLRefreshTokenRepository(database: database)
            let now = Clock.nowMillis()
            try await users.create(UserRecord(id: "u1", email: "race@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now))
            try await tokens.create(id: "t1", userID: "u1", familyID: "f1", tokenHash: "h1", createdAt: now, expiresAt: now + 60_000)
            #expect(try await tokens.consume(tokenHash: "h1", now: now) == .rotated(userID: "u1", familyID: "f1"))
            #expect(try await users.changePassword(id: "u1", passwordHash: "y", at: now) == 1)
            await #expect(throws: StoreError.conflict) {
                try await tokens.create(id: "t2", userID: "u1", familyID: "f1", tokenHash: "h2", createdAt: now, expiresAt: now + 60_000)
            }
            // A new sign-in (a new family) is unaffected.
            try await tokens.create(id: "t3", userID: "u1", familyID: "f2", tokenHash: "h3", createdAt: now, expiresAt: now + 60_000)
            #expect(try await tokens.consume(tokenHash: "h3", now: now) == .rotated(userID: "u1", familyID: "f2"))
        }
    }
}
