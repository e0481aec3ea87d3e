import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("rate limits: whom they count")
struct RateLimitTests {
    static let limitOf5 = ["RATE_LIMIT_MAX_REQUESTS": "5", "RATE_LIMIT_WINDOW": "60000"]

    @Test func randomBearerStringsDoNotBuyFreshWindows() async throws {
        try await withTestApp(environment: Self.limitOf5) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<20 {
                let response = try await client.send(
                    .post, "/api/auth/login", token: "made-up-\(UUID().uuidString)",
                    json: ["email": "someone@example.com", "password": "a guess"]
                )
                statuses.append(response.status)
            }
            #expect(statuses.prefix(5).allSatisfy { $0 == .unauthorized }, "\(statuses)")
            #expect(statuses.dropFirst(5).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            // A random string that looks like an API key is no different.
            let fakeKey = try await client.send(.get, "/api/v1/user", token: "ff_\(UUID().uuidString)")
            #expect(fakeKey.status == .tooManyRequests)
        }
    }

    @Test func verifiedAccountsAndKeysHaveTheirOwnWindows() async throws {
        try await withTestApp(environment: Self.limitOf5) { client, _ in
            // Two registrations and one key creation count against the address (2) and the first account (1).
            let first = try await client.register()
            let second = try await client.register()
            let key = try await client.createAPIKey(access: first.access)
            for _ in 0..<4 {
                #expect(try await client.send(.get, "/api/user/profile", token: first.access).status == .ok)
            }
            let limited = try await client.send(.get, "/api/user/profile", token: first.access)
            #expect(limited.status == .tooManyRequests)
            #expect(try errorCode(limited) == "rate_limited")
            #expect(try await client.send(.get, "/api/user/profile", token: second.access).status == .ok)
            #expect(try await client.send(.get, "/api/v1/user", token: key).status == .ok)
            #expect(try await client.send(.get, "/api/billing/plans").status == .ok)
        }
    }

    @Test func webhooksAreLimitedPerAddress() async throws {
        try await withTestApp(environment: ["FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS": "3", "RATE_LIMIT_WINDOW": "60000"]) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 {
                statuses.append(try await client.send(.post, "/api/webhooks/github", json: ["zen": "hello"]).status)
            }
            #expect(statuses.prefix(3).allSatisfy { $0 != .tooManyRequests }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests)
            // The API allowance of the same address is untouched.
            #expect(try await client.send(.get, "/api/billing/plans").status == .ok)
        }
    }
}

@Suite("rate limits: the table stays bounded")
struct RateLimitTableTests {
    @Test func manyDistinctKeysNeverGrowTheTablePastItsCapacity() {
        var table = RateLimitTable(windowMillis: 60_000, limit: 10, capacity: 100)
        var refused = 0
        for index in 0..<10_000 {
            if table.admit("address:\(index)", now: 1_000) != nil { refused += 1 }
            if table.storedCount > 100 {
                Issue.record("table holds \(table.storedCount) keys, capacity 100")
                break
            }
        }
        // The first 100 fit; every later new key is refused while those windows are live.
        #expect(refused == 10_000 - 100)
        #expect(table.refusedForCapacity == 10_000 - 100)
    }

    /// A flood of distinct keys must not reset anyone's count: with the table full of live entries, new keys
    /// are refused, and a client over its limit stays over it.
    @Test func aFloodOfDistinctKeysResetsNoLiveCount() {
        var table = RateLimitTable(windowMillis: 60_000, limit: 3, capacity: 10)
        for _ in 0..<3 { #expect(table.admit("user:busy", now: 1_000) == nil) }
        #expect(table.admit("user:busy", now: 1_000) == 60_000)
        var flood: [Int64?] = []
        for other in 0..<1_000 { flood.append(table.admit("address:\(other)", now: 2_000)) }
        #expect(flood.prefix(9).allSatisfy { $0 == nil })
        #expect(flood.dropFirst(9).allSatisfy { $0 == 59_000 }, "new keys wait for the oldest window to end")
        // Still limited after the flood.
        #expect(table.admit("user:busy", now: 3_000) == 58_000)
        #expect(table.storedCount == 10)
        // Once the windows end, room returns.
        #expect(table.admit("address:late", now: 62_000) == nil)
    }

    @Test func windowsEndAndOldGenerationsGo() {
        var table = RateLimitTable(windowMillis: 1_000, limit: 1, capacity: 100)
        #expect(table.admit("a", now: 0) == nil)
        #expect(table.admit("a", now: 500) == 500)
        #expect(table.admit("a", now: 1_000) == nil)
        _ = table.admit("b", now: 1_000)
        // Two windows without "a": it is gone, not kept forever.
        _ = table.admit("c", now: 2_100)
        _ = table.admit("c", now: 3_200)
        #expect(table.entries["a"] == nil)
        #expect(table.storedCount == 1)
    }
}

@Suite("rate limits: plans and headers")
struct RateLimitPlanTests {
    static let limitOf4 = ["RATE_LIMIT_MAX_REQUESTS": "4", "RATE_LIMIT_WINDOW": "60000"]

    static func header(_ response: TestResponse, _ name: String) -> Int? {
        response.headers[HTTPField.Name(name)!].flatMap { Int($0) }
    }

    /// Every answer of a limited route reports the window: the plan's limit, what is left, when it resets.
    @Test func everyAnswerCarriesTheWindowAndA429SaysWhenToRetry() async throws {
        try await withTestApp(environment: Self.limitOf4) { client, _ in
            let account = try await client.register()  // counted against the address, not the account
            let before = Int(Date().timeIntervalSince1970)
            var remaining: [Int?] = []
            for _ in 0..<4 {
                let response = try await client.send(.get, "/api/user/profile", token: account.access)
                #expect(response.status == .ok)
                #expect(Self.header(response, "X-RateLimit-Limit") == 4)
                let reset = try #require(Self.header(response, "X-RateLimit-Reset"))
                #expect(reset >= before + 59 && reset <= before + 62, "reset \(reset) is not about a minute after \(before)")
                remaining.append(Self.header(response, "X-RateLimit-Remaining"))
            }
            #expect(remaining == [3, 2, 1, 0])
            let limited = try await client.send(.get, "/api/user/profile", token: account.access)
            #expect(limited.status == .tooManyRequests)
            #expect(try errorCode(limited) == "rate_limited")
            #expect(Self.header(limited, "X-RateLimit-Remaining") == 0)
            #expect(Self.header(limited, "X-RateLimit-Limit") == 4)
            let retryAfter = try #require(Self.header(limited, "Retry-After"))
            #expect(retryAfter >= 1 && retryAfter <= 60)
        }
    }

    /// Error answers of limited routes carry the headers too, and an address has the base allowance.
    @Test func errorAnswersCarryTheHeadersToo() async throws {
        try await withTestApp(environment: Self.limitOf4) { client, _ in
            let unauthorized = try await client.send(.get, "/api/v1/pipelines")
            #expect(unauthorized.status == .unauthorized)
            #expect(Self.header(unauthorized, "X-RateLimit-Limit") == 4)
            #expect(Self.header(unauthorized, "X-RateLimit-Remaining") == 3)
            let noRoute = try await client.send(.get, "/api/no-such-route")
            #expect(noRoute.status == .notFound)
            #expect(Self.header(noRoute, "X-RateLimit-Remaining") == 2)
        }
    }

    /// Pro has 5 times the free allowance, enterprise 20 times, for access tokens and API keys alike; a
    /// plan change applies to the window in progress.
    @Test func theAllowanceScalesWithThePlan() async throws {
        try await withTestApp(environment: Self.limitOf4) { client, configuration in
            let free = try await client.register()
            let pro = try await client.register()
            let enterprise = try await client.register()
            try await setPlan(configuration, userID: pro.userID, plan: "pro")
            try await setPlan(configuration, userID: enterprise.userID, plan: "enterprise")
            let free1 = try await client.send(.get, "/api/user/profile", token: free.access)
            #expect(Self.header(free1, "X-RateLimit-Limit") == 4)
            let pro1 = try await client.send(.get, "/api/user/profile", token: pro.access)
            #expect(Self.header(pro1, "X-RateLimit-Limit") == 20)
            let enterprise1 = try await client.send(.get, "/api/user/profile", token: enterprise.access)
            #expect(Self.header(enterprise1, "X-RateLimit-Limit") == 80)

            // A pro account's API key has a bucket of its own with the account's allowance: 20, then 429.
            let key = try await client.createAPIKey(access: pro.access)
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<21 { statuses.append(try await client.send(.get, "/api/v1/user", token: key).status) }
            #expect(statuses.prefix(20).allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(statuses.last == .tooManyRequests)
            let limited = try await client.send(.get, "/api/v1/user", token: key)
            let message = (try json(limited)["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("pro plan allows 20 requests"), "\(message)")

            // The free account upgrades mid-window: the larger allowance applies at once.
            for _ in 0..<3 { _ = try await client.send(.get, "/api/user/profile", token: free.access) }
            #expect(try await client.send(.get, "/api/user/profile", token: free.access).status == .tooManyRequests)
            try await setPlan(configuration, userID: free.userID, plan: "pro")
            let upgraded = try await client.send(.get, "/api/user/profile", token: free.access)
            #expect(upgraded.status == .ok)
            #expect(Self.header(upgraded, "X-RateLimit-Limit") == 20)
        }
    }
}
