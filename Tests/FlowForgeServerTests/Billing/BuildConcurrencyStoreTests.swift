import FlowForgeCore
import Foundation
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// `concurrent_builds` in the claim: an account at its limit has its jobs passed over (they stay queued, in
/// order), whatever worker or replica claims.
@Suite("concurrent builds in the queue")
struct BuildConcurrencyStoreTests {
    static let limits = ConcurrentBuildLimits(perPlan: ["free": 1, "pro": 2], fallback: 1)

    @Test func anAccountAtItsLimitWaitsAndStartsInOrder() async throws {
        try await QueueTestFixture.with { fixture in
            let queue = SQLJobQueue(database: fixture.database, buildLimits: Self.limits)
            let pro = try await fixture.addUser(plan: "pro")
            var free: [PipelineRecord] = []
            for _ in 0..<3 { free.append(try await fixture.queuePipeline(for: fixture.userID)) }
            var paid: [PipelineRecord] = []
            for _ in 0..<3 { paid.append(try await fixture.queuePipeline(for: pro)) }

            let first = try #require(try await queue.claim(worker: "w", lease: 60_000))
            #expect(first.pipelineID == free[0].id)
            // The free account is full: the pro account's jobs go next, two of them.
            #expect(try await queue.claim(worker: "w", lease: 60_000)?.pipelineID == paid[0].id)
            let paidSecond = try #require(try await queue.claim(worker: "w", lease: 60_000))
            #expect(paidSecond.pipelineID == paid[1].id)
            #expect(try await queue.claim(worker: "w", lease: 60_000) == nil)
            #expect(try await fixture.job(free[1].id).status == "queued")

            // A build ends: the account's next job, in order, not a later one.
            try await fixture.pipelines.finish(first, status: .success, error: nil, at: Clock.nowMillis(), finalStatus: nil)
            let second = try #require(try await queue.claim(worker: "w", lease: 60_000))
            #expect(second.pipelineID == free[1].id)
            #expect(try await queue.claim(worker: "w", lease: 60_000) == nil)

            // A dead worker's job (its lease expired) is taken over; it does not count against the account,
            // and taking it over does not start another job of the account beside it.
            try await fixture.database.withConnection { db in
                try await db.raw("UPDATE jobs SET lease_expires_at = 0 WHERE id = \(bind: second.id)").run()
            }
            let takeover = try #require(try await queue.claim(worker: "w2", lease: 60_000))
            #expect(takeover.pipelineID == free[1].id && takeover.attempt == 2)
            #expect(try await queue.claim(worker: "w2", lease: 60_000) == nil)

            // Without limits (the queue as other tests build it) the account's next job would have started.
            #expect(try await fixture.queue.claim(worker: "w3", lease: 60_000)?.pipelineID == free[2].id)
        }
    }

    /// Many workers claiming at once (PostgreSQL: separate connections) start one job of a free account.
    @Test func concurrentClaimsNeverExceedTheLimit() async throws {
        try await QueueTestFixture.with { fixture in
            let queue = SQLJobQueue(database: fixture.database, buildLimits: Self.limits)
            for _ in 0..<6 { try await fixture.queuePipeline(for: fixture.userID) }
            let pro = try await fixture.addUser(plan: "pro")
            for _ in 0..<6 { try await fixture.queuePipeline(for: pro) }
            for _ in 0..<5 {
                let claimed = try await withThrowingTaskGroup(of: ClaimedJob?.self) { group in
                    for index in 0..<8 {
                        group.addTask { try await queue.claim(worker: "w\(index)", lease: 60_000) }
                    }
                    return try await group.reduce(into: [ClaimedJob]()) { if let job = $1 { $0.append(job) } }
                }
                let running = try await fixture.runningJobsPerUser()
                #expect((running[fixture.userID] ?? 0) <= 1, "\(running)")
                #expect((running[pro] ?? 0) <= 2, "\(running)")
                // End this round's builds so the next round claims again.
                for job in claimed {
                    try await fixture.pipelines.finish(job, status: .success, error: nil, at: Clock.nowMillis(), finalStatus: nil)
                }
            }
        }
    }
}

extension QueueTestFixture {
    /// Another account on `plan`; returns its id.
    func addUser(plan: String) async throws -> String {
        let id = UUID().uuidString.lowercased()
        let now = Clock.nowMillis()
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
                VALUES (\(bind: id), \(bind: "\(id)@example.com"), 'x', \(bind: plan), \(bind: now), \(bind: now))
                """).run()
        }
        return id
    }

    /// Queues a pipeline of `userID`, created one millisecond after the previous one so the order is certain.
    @discardableResult
    func queuePipeline(for userID: String) async throws -> PipelineRecord {
        let createdAt = try await database.withConnection { db in
            try await db.raw("SELECT COALESCE(MAX(created_at), 0) AS latest FROM jobs").first()!.decode(column: "latest", as: Int64.self)
        }
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: userID, repoURL: "https://git.example/app.git", branch: "main",
            commitSHA: nil, event: "api", commands: ["true"], environment: [:], createdAt: max(createdAt + 1, Clock.nowMillis()))
        try await pipelines.createQueued(pipeline, delivery: nil, queuedStatus: nil, quota: nil)
        return pipeline
    }

    /// Jobs running under a live lease, per account.
    func runningJobsPerUser() async throws -> [String: Int] {
        try await database.withConnection { db in
            var counts: [String: Int] = [:]
            for row in try await db.raw("""
                SELECT p.user_id AS user_id, COUNT(*) AS n FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id
                WHERE j.status = 'running' GROUP BY p.user_id
                """).all() {
                counts[try row.decode(column: "user_id", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }
}
