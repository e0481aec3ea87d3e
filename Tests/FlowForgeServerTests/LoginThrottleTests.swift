import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// The sign-in throttle seen from different client addresses: these tests run a real server and connect
/// from several loopback addresses (127.0.0.2, 127.0.0.3, …), which Linux routes to the same host.
@Suite("accounts: sign-in throttle")
struct LoginThrottleTests {
    static func login(_ port: Int, from address: String, email: String, password: String) async throws -> Int? {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["email": email, "password": password]), as: UTF8.self)
        return try await RawHTTPConnection.request(port: port, from: address, "POST", "/api/auth/login", json: body).status
    }

    @Test func aLockOutFromOneAddressDoesNotStopTheOwnerAtAnother() async throws {
        try await withLiveTestApp { _, port, _ in
            let registered = try await RawHTTPConnection.request(
                port: port, from: "127.0.0.3", "POST", "/api/auth/register", json: #"{"email": "victim@example.com", "password": "the-real-one"}"#
            )
            #expect(registered.status == 201)

            var attacker: [Int?] = []
            for _ in 0..<8 {
                attacker.append(try await Self.login(port, from: "127.0.0.2", email: "victim@example.com", password: "a-guess-123"))
            }
            // Attempts are counted as they start: the 6th is refused before its password is checked.
            #expect(attacker.prefix(5).allSatisfy { $0 == 401 }, "\(attacker)")
            #expect(attacker.dropFirst(5).allSatisfy { $0 == 429 }, "\(attacker)")

            // The owner, from their own address, is not locked out by someone else's failures.
            #expect(try await Self.login(port, from: "127.0.0.3", email: "victim@example.com", password: "the-real-one") == 200)
        }
    }

    @Test func failuresSpreadOverAddressesSlowTheAccountButNeverLockIt() async throws {
        try await withLiveTestApp { _, port, _ in
            _ = try await RawHTTPConnection.request(
                port: port, from: "127.0.0.9", "POST", "/api/auth/register", json: #"{"email": "popular@example.com", "password": "the-real-one"}"#
            )
            // 4 failures from each of 3 addresses: under each address's lock-out, over the account's 10.
            for address in ["127.0.0.4", "127.0.0.5", "127.0.0.6"] {
                for _ in 0..<4 {
                    #expect(try await Self.login(port, from: address, email: "popular@example.com", password: "wrong-guess") == 401)
                }
            }
            #expect(try await Self.login(port, from: "127.0.0.9", email: "popular@example.com", password: "the-real-one") == 200)
            // Another guess from a fresh address is slowed, still answered 401 rather than 429.
            #expect(try await Self.login(port, from: "127.0.0.7", email: "popular@example.com", password: "wrong-guess") == 401)
        }
    }

    /// A burst of guesses sent at once: each is counted before its password is checked, so no more than the
    /// pair's free attempts are ever verified.
    @Test func parallelWrongPasswordsFromOneAddressAreCappedAtTheLimit() async throws {
        try await withLiveTestApp { _, port, _ in
            let registered = try await RawHTTPConnection.request(
                port: port, from: "127.0.0.12", "POST", "/api/auth/register", json: #"{"email": "burst@example.com", "password": "the-real-one"}"#
            )
            #expect(registered.status == 201)
            let statuses = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Self.login(port, from: "127.0.0.11", email: "burst@example.com", password: "a-guess-123") }
                }
                var all: [Int?] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0 == 401 }.count <= 5, "\(statuses)")
            #expect(statuses.allSatisfy { $0 == 401 || $0 == 429 }, "\(statuses)")
            #expect(statuses.filter { $0 == 429 }.count >= 15, "\(statuses)")
        }
    }

    @Test func parallelFailuresEachCount() async throws {
        try await withMigratedDatabase { database in
            let attempts = SQLLoginAttemptRepository(database: database)
            let now = Clock.nowMillis()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await attempts.recordFailure(key: "pair:198.51.100.7|a@example.com", now: now, window: 900_000, freeFailures: 5, baseDelay: 1000, maxDelay: 900_000)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await attempts.failures(key: "pair:198.51.100.7|a@example.com") == 20)
            #expect(try await attempts.lockedUntil(key: "pair:198.51.100.7|a@example.com", now: now) != nil)
        }
    }
}
