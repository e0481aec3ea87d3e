import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
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

    /// A password change that lands between a refresh's use of its token and the storing of the successor must
    /// still end the successor: the change waits for the refresh (PostgreSQL: share lock on the account row)
    /// and then revokes it, or the refresh sees the change. SQLite serialises writers, so only PostgreSQL needs it.
    @Test func aRefreshRacingAPasswordChangeStartsNoLiveToken() async throws {
        try await withMigratedDatabase { database, url in
            // The change and the watching run on a pool of their own, so they never wait for a connection
            // the refresh's transaction is holding.
            let other = database.dialect == .postgres ? try Database.postgres(url: url, maxConnectionsPerEventLoop: 2, logger: Logger(label: "test.other")) : database
            let users = SQLUserRepository(database: database)
            let otherUsers = SQLUserRepository(database: other)
            let now = Clock.nowMillis()
            try await users.create(UserRecord(id: "u1", email: "race@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now))
            let plain = SQLRefreshTokenRepository(database: database)
            try await plain.create(id: "t1", userID: "u1", familyID: "f1", tokenHash: "h1", generation: 0, createdAt: now, expiresAt: now + 60_000)

            let change = ChangeInFlight()
            let racing = SQLRefreshTokenRepository(database: database, betweenUseAndSuccessor: {
                guard database.dialect == .postgres else { return }
                let task = Task { try await otherUsers.changePassword(id: "u1", passwordHash: "y", at: now) }
                await change.started(task)
                // Until the change either is waiting for this transaction or has committed without waiting.
                while !(await change.finished) {
                    let waiting = try await other.withConnection { db in
                        try await db.raw("""
                            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
                            """).first()?.decode(column: "n", as: Int64.self) ?? 0
                    }
                    if waiting > 0 { break }
                    try await Task.sleep(for: .milliseconds(5))
                }
            })
            let rotation = try await racing.rotate(tokenHash: "h1", successor: RefreshSuccessor(id: "t2", tokenHash: "h2", expiresAt: now + 60_000), now: now)
            #expect(rotation == .rotated(userID: "u1", familyID: "f1", generation: 0))
            if let generation = try await change.result() { #expect(generation == 1) } else {
                #expect(try await users.changePassword(id: "u1", passwordHash: "y", at: now) == 1)
            }
            // The successor was ended by the change.
            let next = try await plain.rotate(tokenHash: "h2", successor: RefreshSuccessor(id: "t3", tokenHash: "h3", expiresAt: now + 60_000), now: now)
            #expect(next != .rotated(userID: "u1", familyID: "f1", generation: 0))
            #expect(next != .rotated(userID: "u1", familyID: "f1", generation: 1))

            // A new sign-in (a new family) after the change is unaffected.
            try await plain.create(id: "t4", userID: "u1", familyID: "f2", tokenHash: "h4", generation: 1, createdAt: now, expiresAt: now + 60_000)
            #expect(try await plain.rotate(tokenHash: "h4", successor: RefreshSuccessor(id: "t5", tokenHash: "h5", expiresAt: now + 60_000), now: now)
                == .rotated(userID: "u1", familyID: "f2", generation: 1))
            if database.dialect == .postgres { await other.shutdown() }
        }
    }

    /// A token issued under an earlier generation is refused even if nothing revoked it.
    @Test func aRefreshTokenOfAnEarlierGenerationIsRefused() async throws {
        try await withMigratedDatabase { database in
            let users = SQLUserRepository(database: database)
            let tokens = SQLRefreshTokenRepository(database: database)
            let now = Clock.nowMillis()
            try await users.create(UserRecord(id: "u1", email: "gen@example.com", passwordHash: "x", plan: "free", createdAt: now, updatedAt: now))
            #expect(try await users.changePassword(id: "u1", passwordHash: "y", at: now) == 1)
            try await tokens.create(id: "t1", userID: "u1", familyID: "f1", tokenHash: "h1", generation: 0, createdAt: now, expiresAt: now + 60_000)
            #expect(try await tokens.rotate(tokenHash: "h1", successor: RefreshSuccessor(id: "t2", tokenHash: "h2", expiresAt: now + 60_000), now: now) == .invalid)
        }
    }
}

/// The password change a racing refresh started, seen from the test.
private actor ChangeInFlight {
    private var task: Task<Int64?, any Error>?
    private(set) var finished = false

    func started(_ task: Task<Int64?, any Error>) {
        self.task = task
        Task { _ = try? await task.value; self.markFinished() }
    }

    private func markFinished() { finished = true }

    /// The change's new generation; nil when no change was started (SQLite).
    func result() async throws -> Int64? {
        guard let task else { return nil }
        return try await task.value
    }
}

@Suite("accounts: profile edits")
struct ProfileEditStoreTests {
    /// The profile handler reads the account, checks the current password, then writes: a password change
    /// committed in between must survive the e-mail edit (the old full-record update wrote the stale hash back).
    @Test func anEmailEditKeepsAConcurrentPasswordChange() async throws {
        try await withMigratedDatabase { database in
            let users = SQLUserRepository(database: database)
            let now = Clock.nowMillis()
            try await users.create(UserRecord(id: "u1", email: "old@example.com", passwordHash: "old-hash", plan: "pro", createdAt: now, updatedAt: now))
            let stale = try #require(try await users.find(id: "u1"))
            #expect(try await users.changePassword(id: "u1", passwordHash: "new-hash", at: now + 1) == 1)
            try await users.updateEmail(id: stale.id, email: "new@example.com", at: now + 2)
            let after = try #require(try await users.find(id: "u1"))
            #expect(after.email == "new@example.com")
            #expect(after.passwordHash == "new-hash")
            #expect(after.plan == "pro")
            #expect(after.tokenGeneration == 1)
        }
    }
}
