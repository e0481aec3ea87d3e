import FlowForgeCore
import Foundation
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// The counters themselves, on the real database: a run is counted with its pipeline, compute minutes with
/// its end (inside the fenced transaction), rounded up per pipeline.
@Suite("usage metering in the store")
struct UsageMeteringStoreTests {
    @Test func runsAreCountedWhenCreatedAndMinutesWhenTheyEnd() async throws {
        try await QueueTestFixture.with { fixture in
            let usage = SQLUsageRepository(database: fixture.database)
            try await fixture.queuePipeline()
            try await fixture.queuePipeline()
            #expect(try await usage.usage(userID: fixture.userID, months: [thisMonth]) == [MonthlyUsage(month: thisMonth, pipelineRuns: 2, computeMinutes: 0)])

            // Two steps of 61 s and 30 s: 91 s, so 2 minutes for this pipeline.
            let first = try #require(try await fixture.queue.claim(worker: "w", lease: 60_000))
            try await fixture.pipelines.markRunning(first, at: 1_000)
            try await fixture.pipelines.setSteps(first, names: ["a", "b"])
            try await fixture.pipelines.updateStep(first, name: "a", status: .success, exitCode: 0, startedAt: 1_000, finishedAt: 62_000)
            try await fixture.pipelines.updateStep(first, name: "b", status: .success, exitCode: 0, startedAt: 62_000, finishedAt: 92_000)
            try await fixture.pipelines.finish(first, status: .success, error: nil, at: Clock.nowMillis(), finalStatus: nil)
            #expect(try await usage.usage(userID: fixture.userID, months: [thisMonth]).first?.computeMinutes == 2)

            // One step still running when the pipeline ends: it counts up to the end; 5 ms round up to a minute.
            let second = try #require(try await fixture.queue.claim(worker: "w", lease: 60_000))
            try await fixture.pipelines.markRunning(second, at: 1_000)
            try await fixture.pipelines.setSteps(second, names: ["a", "never"])
            let now = Clock.nowMillis()
            try await fixture.pipelines.updateStep(second, name: "a", status: .running, exitCode: nil, startedAt: now - 5, finishedAt: nil)
            // A claim that no longer holds the job adds nothing (and changes nothing).
            var stale = second
            stale.token = "someone-else"
            await #expect(throws: StoreError.leaseLost) {
                try await fixture.pipelines.finish(stale, status: .success, error: nil, at: now, finalStatus: nil)
            }
            #expect(try await usage.usage(userID: fixture.userID, months: [thisMonth]).first?.computeMinutes == 2)
            try await fixture.pipelines.finish(second, status: .canceled, error: "stopped", at: now, finalStatus: nil)
            // Finishing again under the same claim is refused: the job is done, the minutes are not added twice.
            await #expect(throws: StoreError.leaseLost) {
                try await fixture.pipelines.finish(second, status: .canceled, error: "stopped", at: now, finalStatus: nil)
            }
            #expect(try await usage.usage(userID: fixture.userID, months: [thisMonth]) == [MonthlyUsage(month: thisMonth, pipelineRuns: 2, computeMinutes: 3)])
        }
    }

    @Test func usageIsKeptPerCalendarMonthInUTC() async throws {
        try await QueueTestFixture.with { fixture in
            // 2026-01-31T23:59:59.999Z and 2026-02-01T00:00:00.000Z
            let endOfJanuary: Int64 = 1_769_903_999_999
            for createdAt in [endOfJanuary, endOfJanuary + 1, endOfJanuary + 2] {
                let pipeline = PipelineRecord(
                    id: UUID().uuidString.lowercased(), userID: fixture.userID, repoURL: "https://git.example/a.git", branch: "main",
                    commitSHA: nil, event: "api", commands: ["true"], environment: [:], createdAt: createdAt)
                try await fixture.pipelines.createQueued(pipeline, delivery: nil, queuedStatus: nil, quota: nil)
            }
            let months = [UsageMonth(year: 2025, month: 12), UsageMonth(year: 2026, month: 1), UsageMonth(year: 2026, month: 2)]
            let usage = try await SQLUsageRepository(database: fixture.database).usage(userID: fixture.userID, months: months)
            #expect(usage.map(\.pipelineRuns) == [0, 1, 2])
            #expect(usage.map(\.month.id) == ["2025-12", "2026-01", "2026-02"])
            #expect(UsageMonth(millis: endOfJanuary).resetsAt == Date(timeIntervalSince1970: Double(endOfJanuary + 1) / 1000))
            #expect(UsageMonth(year: 2026, month: 13) == UsageMonth(year: 2027, month: 1))
            #expect(UsageMonth(year: 2026, month: 1).adding(months: -1).id == "2025-12")
        }
    }

    /// A webhook's answer to store with the pipeline, when `withDelivery` (on PostgreSQL both cases are the one
    /// prepared statement, with and without its delivery part).
    private static func delivery(_ withDelivery: Bool) -> WebhookDeliveryRecord? {
        guard withDelivery else { return nil }
        return WebhookDeliveryRecord(
            provider: "github", deliveryID: UUID().uuidString, repositoryID: nil, statusCode: 202,
            response: #"{"status":"queued"}"#, createdAt: Clock.nowMillis())
    }

    /// The check and the count are one statement: concurrent creations never pass the limit together; the
    /// same with a webhook delivery's answer stored alongside, and a refused one stores no answer.
    @Test(arguments: [false, true]) func aQuotaAdmitsExactlyItsLimitUnderConcurrency(withDelivery: Bool) async throws {
        try await QueueTestFixture.with { fixture in
            let quota = RunQuota(pipelineRuns: 10, computeMinutes: 100)
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        let pipeline = PipelineRecord(
                            id: UUID().uuidString.lowercased(), userID: fixture.userID, repoURL: "https://git.example/a.git", branch: "main",
                            commitSHA: nil, event: "api", commands: ["true"], environment: [:], createdAt: Clock.nowMillis())
                        do {
                            let earlier = try await fixture.pipelines.createQueued(
                                pipeline, delivery: Self.delivery(withDelivery), queuedStatus: nil, quota: quota)
                            #expect(earlier == nil)
                            return true
                        } catch let reached as UsageLimitReached {
                            #expect(reached.limit == .pipelineRuns && reached.allowed == 10 && reached.used == 10)
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 10)
            #expect(try await fixture.count("pipelines") == 10)
            #expect(try await fixture.count("jobs") == 10)
            #expect(try await fixture.count("webhook_deliveries") == (withDelivery ? 10 : 0))
            #expect(try await SQLUsageRepository(database: fixture.database).usage(userID: fixture.userID, months: [thisMonth]).first?.pipelineRuns == 10)

            // Minutes used up refuse the next pipeline even with runs left; a zero limit refuses the first.
            try await fixture.database.withConnection { db in
                try await db.raw("UPDATE usage SET compute_minutes = 100 WHERE user_id = \(bind: fixture.userID)").run()
            }
            let next = PipelineRecord(
                id: UUID().uuidString.lowercased(), userID: fixture.userID, repoURL: "https://git.example/a.git", branch: "main",
                commitSHA: nil, event: "api", commands: ["true"], environment: [:], createdAt: Clock.nowMillis())
            await #expect(throws: UsageLimitReached(limit: .computeMinutes, allowed: 100, used: 100, month: thisMonth)) {
                try await fixture.pipelines.createQueued(next, delivery: Self.delivery(withDelivery), queuedStatus: nil, quota: RunQuota(pipelineRuns: 50, computeMinutes: 100))
            }
            await #expect(throws: UsageLimitReached(limit: .pipelineRuns, allowed: 0, used: 0, month: thisMonth)) {
                try await fixture.pipelines.createQueued(next, delivery: Self.delivery(withDelivery), queuedStatus: nil, quota: RunQuota(pipelineRuns: 0, computeMinutes: nil))
            }
            // Unlimited: always counted.
            let unlimited = Self.delivery(withDelivery)
            try await fixture.pipelines.createQueued(next, delivery: unlimited, queuedStatus: nil, quota: RunQuota(pipelineRuns: nil, computeMinutes: nil))
            #expect(try await SQLUsageRepository(database: fixture.database).usage(userID: fixture.userID, months: [thisMonth]).first?.pipelineRuns == 11)
            #expect(try await fixture.count("webhook_deliveries") == (withDelivery ? 11 : 0))
            let stored = try #require(try await fixture.database.withConnection { db in
                try await db.raw("SELECT * FROM pipelines WHERE id = \(bind: next.id)").first().map(SQLPipelineRepository.pipeline)
            })
            #expect(stored.status == .pending && stored.commands == ["true"] && stored.createdAt == next.createdAt && stored.userID == fixture.userID)
            if let unlimited {
                // The same delivery again stores nothing and hands back the first answer.
                var again = next
                again.id = UUID().uuidString.lowercased()
                let earlier = try await fixture.pipelines.createQueued(again, delivery: unlimited, queuedStatus: nil, quota: nil)
                #expect(earlier?.deliveryID == unlimited.deliveryID && earlier?.statusCode == 202 && earlier?.response == unlimited.response)
                #expect(try await fixture.count("pipelines") == 11)
            }
        }
    }
}
