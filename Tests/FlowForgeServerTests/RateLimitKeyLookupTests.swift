import FlowForgeStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import FlowForgeServer

/// Counts key lookups; knows one key.
private final class CountingAPIKeys: APIKeyRepository, Sendable {
    let lookups = Mutex(0)
    let knownHash: String

    init(knownHash: String) { self.knownHash = knownHash }

    func create(_ key: APIKeyRecord, keyHash: String) async throws {}
    func list(userID: String) async throws -> [APIKeyRecord] { [] }
    func findActive(keyHash: String) async throws -> APIKeyRecord? {
        lookups.withLock { $0 += 1 }
        guard keyHash == knownHash else { return nil }
        return APIKeyRecord(id: "k1", userID: "u1", name: "ci", prefix: "ff_known", createdAt: 0, lastUsedAt: nil, revokedAt: nil)
    }
    func revoke(id: String, userID: String, at: Int64) async throws -> Bool { false }
    func touch(id: String, at: Int64) async throws {}
}

@Suite("rate limits: made-up API keys")
struct RateLimitKeyLookupTests {
    /// Random `ff_` bearers are limited before their HMAC and database lookup, so a flood of them costs at
    /// most the limit in lookups per window; a real key from the same address is unaffected.
    @Test func madeUpKeysAreLimitedBeforeTheyAreLookedUp() async throws {
        let salt = Array("salt-for-this-test-only-32-bytes!".utf8)
        let keys = CountingAPIKeys(knownHash: SecretHashing.hmacHex("ff_known-key", key: salt))
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: RateLimitMiddleware(
            limiter: RateLimiter(windowMillis: 60_000, limit: 5),
            webhookLimiter: RateLimiter(windowMillis: 60_000, limit: 5),
            identities: RateLimitIdentities(
                accessTokens: await AccessTokens(secret: Array(repeating: 7, count: 32), lifetime: 900), apiKeys: keys, apiKeySalt: salt
            )
        ))
        router.get("/v1/ping") { _, _ in "pong" }
        try await Application(router: router).test(.router) { client in
            // A real key is refunded its lookup, so it never uses up the address's lookup allowance.
            for _ in 0..<3 {
                let real = try await client.execute(uri: "/v1/ping", method: .get, headers: [.authorization: "Bearer ff_known-key"])
                #expect(real.status == .ok)
            }
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<30 {
                let response = try await client.execute(
                    uri: "/v1/ping", method: .get, headers: [.authorization: "Bearer ff_" + SecretHashing.randomToken()]
                )
                statuses.append(response.status)
            }
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 25, "\(statuses)")
            #expect(statuses.prefix(5).allSatisfy { $0 != .tooManyRequests }, "\(statuses)")
            // 3 real lookups, then at most the limit of made-up ones.
            #expect(keys.lookups.withLock { $0 } <= 3 + 5)
        }
    }
}
