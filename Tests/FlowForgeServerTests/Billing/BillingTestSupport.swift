import FlowForgeCore
import FlowForgeStore
import Foundation
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer

/// A plans file with a free plan of the given limits and a pro plan above it; removed by the caller.
func writePlansFile(freeRuns: Int, freeMinutes: Int = 100, freeConcurrent: Int = 1) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString).yml")
    try """
        plans:
          - {id: free, name: Free, price: 0, pipeline_runs: \(freeRuns), compute_minutes: \(freeMinutes), concurrent_builds: \(freeConcurrent)}
          - {id: pro, name: Pro, price: 29, pipeline_runs: 500, compute_minutes: 1000, concurrent_builds: 3}
        """.write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// Runs `body` on a second pool over the test app's own database, for what the API cannot show or set.
func withAppDatabase<T: Sendable>(_ configuration: AppConfiguration, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
    let database = try openDatabase(configuration, logger: Logger(label: "test.billing"))
    do {
        let result = try await database.withConnection { db in try await body(db) }
        await database.shutdown()
        return result
    } catch {
        // A pool dropped unclosed trips an assertion in SQLiteNIO.
        await database.shutdown()
        throw error
    }
}

/// Sets the account's usage of `month` as if it had been metered.
func setUsage(_ configuration: AppConfiguration, userID: String, month: UsageMonth, runs: Int, minutes: Int) async throws {
    try await withAppDatabase(configuration) { db in
        try await db.raw("DELETE FROM usage WHERE user_id = \(bind: userID) AND period = \(bind: month.id)").run()
        try await db.raw("""
            INSERT INTO usage (user_id, period, pipeline_runs, compute_minutes) VALUES (\(bind: userID), \(bind: month.id), \(bind: runs), \(bind: minutes))
            """).run()
    }
}

/// Moves the account to `plan`, as billing will once Stripe confirms a payment.
func setPlan(_ configuration: AppConfiguration, userID: String, plan: String) async throws {
    try await withAppDatabase(configuration) { db in
        try await db.raw("UPDATE users SET plan = \(bind: plan) WHERE id = \(bind: userID)").run()
    }
}

extension TestClientProtocol {
    /// `GET path` as JSON, expecting 200.
    func usage(_ path: String = "/api/v1/usage", token: String) async throws -> [String: Any] {
        let response = try await send(.get, path, token: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try json(response)
    }
}

/// The current month in UTC.
var thisMonth: UsageMonth { UsageMonth(millis: Clock.nowMillis()) }
