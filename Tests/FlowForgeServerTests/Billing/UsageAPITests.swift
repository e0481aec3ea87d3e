import FlowForgeCore
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `GET /api/user/usage` and `GET /api/v1/usage`: the account's month against its plan, and six months of history.
@Suite("usage API")
struct UsageAPITests {
    @Test func usageHasTheDocumentedShapeOnBothRoutes() async throws {
        try await withTestApp { client, configuration in
            let (access, _, userID) = try await client.register()
            let key = try await client.createAPIKey(access: access)
            for _ in 0..<3 {
                _ = try await client.createPipeline(key: key, ["repo_url": unreachableCloneURL()])
            }
            try await setUsage(configuration, userID: userID, month: thisMonth.adding(months: -2), runs: 7, minutes: 12)
            // Older than the history shows.
            try await setUsage(configuration, userID: userID, month: thisMonth.adding(months: -6), runs: 99, minutes: 99)

            let viaKey = try await client.usage(token: key)
            let viaSession = try await client.usage("/api/user/usage", token: access)
            #expect(NSDictionary(dictionary: viaKey) == NSDictionary(dictionary: viaSession))

            #expect(Set(viaKey.keys) == ["month", "plan", "pipeline_runs", "compute_minutes", "limits", "remaining", "resets_at", "history"])
            #expect(viaKey["month"] as? String == thisMonth.id)
            #expect(viaKey["plan"] as? String == "free")
            #expect(viaKey["pipeline_runs"] as? Int == 3)
            #expect(viaKey["compute_minutes"] as? Int == 0)
            let limits = try #require(viaKey["limits"] as? [String: Any])
            #expect(limits["pipeline_runs"] as? Int == 50 && limits["compute_minutes"] as? Int == 100 && limits["concurrent_builds"] as? Int == 1)
            #expect(limits.count == 3)
            let remaining = try #require(viaKey["remaining"] as? [String: Any])
            #expect(remaining["pipeline_runs"] as? Int == 47 && remaining["compute_minutes"] as? Int == 100)
            #expect(remaining.count == 2)
            let resets = try #require(viaKey["resets_at"] as? String)
            let resetDate = try #require(try? Date(resets, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)), "\(resets)")
            #expect(resetDate == thisMonth.adding(months: 1).start)

            let history = try #require(viaKey["history"] as? [[String: Any]])
            #expect(history.map { $0["month"] as? String } == (0..<6).reversed().map { thisMonth.adding(months: -$0).id })
            #expect(history.map { $0["pipeline_runs"] as? Int } == [0, 0, 0, 7, 0, 3])
            #expect(history.map { $0["compute_minutes"] as? Int } == [0, 0, 0, 12, 0, 0])
            #expect(history.allSatisfy { Set($0.keys) == ["month", "pipeline_runs", "compute_minutes"] })
        }
    }

    @Test func usageFollowsThePlanAndNeedsCredentials() async throws {
        try await withTestApp { client, configuration in
            let (access, _, userID) = try await client.register()
            let key = try await client.createAPIKey(access: access)
            try await setPlan(configuration, userID: userID, plan: "pro")
            try await setUsage(configuration, userID: userID, month: thisMonth, runs: 600, minutes: 10)
            let usage = try await client.usage(token: key)
            #expect(usage["plan"] as? String == "pro")
            let limits = try #require(usage["limits"] as? [String: Any])
            #expect(limits["pipeline_runs"] as? Int == 500 && limits["concurrent_builds"] as? Int == 3)
            // Never negative, even when a plan changed under the usage.
            #expect((usage["remaining"] as? [String: Any])?["pipeline_runs"] as? Int == 0)
            #expect((usage["remaining"] as? [String: Any])?["compute_minutes"] as? Int == 990)

            #expect(try await client.send(.get, "/api/v1/usage").status == .unauthorized)
            #expect(try await client.send(.get, "/api/user/usage").status == .unauthorized)
            // Each route takes its own kind of credential.
            #expect(try await client.send(.get, "/api/user/usage", token: key).status == .unauthorized)
            #expect(try await client.send(.get, "/api/v1/usage", token: access).status == .unauthorized)
        }
    }

    @Test func anUnlimitedPlanShowsNulls() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString).yml")
        try "plans:\n  - {id: free, name: Free, price: 0, pipeline_runs: null, compute_minutes: null, concurrent_builds: 2}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await withTestApp(environment: ["FLOWFORGE_PLANS_FILE": file.path]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let usage = try await client.usage(token: key)
            let limits = try #require(usage["limits"] as? [String: Any])
            #expect(limits["pipeline_runs"] is NSNull && limits["compute_minutes"] is NSNull)
            let remaining = try #require(usage["remaining"] as? [String: Any])
            #expect(remaining["pipeline_runs"] is NSNull && remaining["compute_minutes"] is NSNull)
        }
    }
}
