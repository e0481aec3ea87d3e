import Foundation
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// The queue's promise: a job is held by one claim at a time, lease times come from the database's clock,
/// and every write a run makes is fenced by its claim's token.
@Suite("job queue fencing")
struct JobQueueFencingTests {
    @Test func twoClaimersOfOneJobNeverBothGetIt() async throws {
        try await QueueTestFixture.with { fixture in
            let pipeline = try await fixture.queuePipeline()
            let claims = try await withThrowingTaskGroup(of: ClaimedJob?.self) { group in
                for worker in 0..<8 {
                    group.addTask { try await fixture.queue.claim(worker: "w\(worker)", lease: 60_000) }
                }
                return try await group.reduce(into: [ClaimedJob]()) { if let claim = $1 { $0.append(claim) } }
            }
            #expect(claims.count == 1)
            #expect(claims.first?.pipelineID == pipeline.id)
            #expect(claims.first?.attempt == 1)
        }
    }

    @Test func leaseTimesComeFromTheDatabaseClock() async throws {
        try await QueueTestFixture.with { fixture in
            let pipeline = try await fixture.queuePipeline()
            let before = try await fixture.database.nowMillis()
            _ = try #require(try await fixture.queue.claim(worker: "w", lease: 60_000))
            let after = try await fixture.database.nowMillis()
            let expires = try #require(try await fixture.job(pipeline.id).leaseExpiresAt)
            #expect(expires >= before + 60_000 && expires <= after + 60_000)
            // A live lease is not taken over, whatever the claimer's own clock says.
            #expect(try await fixture.queue.claim(worker: "ahead", lease: 60_000) == nil)
        }
    }

    @Test func aClaimThatWasTakenOverCanWriteNothing() async throws {
        try await QueueTestFixture.with { fixture in
            let pipeline = try await fixture.queuePipeline()
            // The first worker's lease has run out (it stalled); a second worker takes the job over.
            let stale = try #require(try await fixture.queue.claim(worker: "stalled", lease: -1))
            try await fixture.pipelines.markRunning(stale, at: 1)
            try await fixture.pipelines.setSteps(stale, names: ["build"])
            let current = try #require(try await fixture.queue.claim(worker: "current", lease: 60_000))
            #expect(current.attempt == 2 && current.token != stale.token)

            await #expect(throws: StoreError.leaseLost) { try await fixture.pipelines.markRunning(stale, at: 2) }
            await #expect(throws: StoreError.leaseLost) { try await fixture.pipelines.setCommit(stale, sha: "f00d", startedStatus: nil) }
            await #expect(throws: StoreError.leaseLost) { try await fixture.pipelines.setSteps(stale, names: ["evil"]) }
            await #expect(throws: StoreError.leaseLost) {
                try await fixture.pipelines.updateStep(stale, name: "build", status: .success, exitCode: 0, startedAt: 1, finishedAt: 2)
            }
            await #expect(throws: StoreError.leaseLost) {
                try await fixture.pipelines.finish(stale, status: .success, error: nil, at: 3, finalStatus: nil)
            }
            #expect(try await fixture.queue.renew(stale, lease: 60_000) == false)
            #expect(try await fixture.queue.complete(stale) == false)
            #expect(try await fixture.queue.release(stale) == false)

            let now = try #require(try await fixture.pipelines.find(id: pipeline.id))
            #expect(now.status == .running && now.commitSHA == pipeline.commitSHA && now.completedAt == nil)
            let steps = try await fixture.pipelines.steps(pipelineID: pipeline.id)
            #expect(steps.map(\.name) == ["build"] && steps.first?.status == .pending)
            #expect(try await fixture.job(pipeline.id).status == "running")

            // The current claim still can.
            try await fixture.pipelines.finish(current, status: .success, error: nil, at: 4, finalStatus: nil)
            #expect(try await fixture.pipelines.find(id: pipeline.id)?.status == .success)
            #expect(try await fixture.job(pipeline.id).status == "done")
        }
    }

    @Test func releasedJobIsQueuedAgainWithoutUsingAnAttempt() async throws {
        try await QueueTestFixture.with { fixture in
            let pipeline = try await fixture.queuePipeline()
            let first = try #require(try await fixture.queue.claim(worker: "stopping", lease: 60_000))
            try await fixture.pipelines.markRunning(first, at: 1)
            #expect(try await fixture.queue.release(first))
            #expect(try await fixture.pipelines.find(id: pipeline.id)?.status == .pending)
            let job = try await fixture.job(pipeline.id)
            #expect(job.status == "queued" && job.attempts == 0 && job.leaseExpiresAt == nil)
            let next = try #require(try await fixture.queue.claim(worker: "next", lease: 60_000))
            #expect(next.attempt == 1)
            await #expect(throws: StoreError.leaseLost) { try await fixture.pipelines.markRunning(first, at: 2) }
        }
    }

    @Test func finalStateAndFinalStatusCommitTogether() async throws {
        try await QueueTestFixture.with { fixture in
            let pipeline = try await fixture.queuePipeline()
            let status = NewOutboxStatus(
                pipelineID: pipeline.id, repositoryID: try await fixture.insertRepository(), provider: "github", repositoryFullName: "o/r", sha: "abc",
                context: "flowforge/ci/push", sequence: 2, state: "success", description: "Passed", targetURL: "https://ci/x")
            let stale = try #require(try await fixture.queue.claim(worker: "stalled", lease: -1))
            let current = try #require(try await fixture.queue.claim(worker: "current", lease: 60_000))
            // A lost claim's final write leaves neither the state nor the status behind.
            await #expect(throws: StoreError.leaseLost) {
                try await fixture.pipelines.finish(stale, status: .failure, error: "x", at: 1, finalStatus: status)
            }
            #expect(try await fixture.outbox.rows(pipelineID: pipeline.id).isEmpty)
            try await fixture.pipelines.finish(current, status: .success, error: nil, at: 2, finalStatus: status)
            #expect(try await fixture.outbox.rows(pipelineID: pipeline.id).map(\.status.state) == ["success"])
            #expect(try await fixture.job(pipeline.id).status == "done")
        }
    }

    @Test func aWebhookAnswerIsNeverStoredWithoutItsPipeline() async throws {
        try await QueueTestFixture.with { fixture in
            func delivery(_ id: String) -> WebhookDeliveryRecord {
                WebhookDeliveryRecord(provider: "github", deliveryID: id, repositoryID: nil, statusCode: 202, response: "{}", createdAt: 1)
            }
            let first = try await fixture.queuePipeline(delivery: delivery("d-1"))
            // The pipeline insert fails (here: a clashing id) after the answer was written: both roll back.
            await #expect(throws: (any Error).self) { try await fixture.queuePipeline(delivery: delivery("d-2"), id: first.id) }
            let deliveries = SQLWebhookDeliveryRepository(database: fixture.database)
            #expect(try await deliveries.find(provider: "github", deliveryID: "d-2") == nil)
            #expect(try await deliveries.find(provider: "github", deliveryID: "d-1") != nil)
            // A second copy of a delivery stores nothing and gets the first answer back.
            let pipeline = PipelineRecord(
                id: UUID().uuidString.lowercased(), userID: fixture.userID, repoURL: "x", branch: "main", commitSHA: nil,
                event: "push", commands: nil, environment: [:], createdAt: 1)
            let earlier = try await fixture.pipelines.createQueued(pipeline, delivery: delivery("d-1"), queuedStatus: nil)
            #expect(earlier?.deliveryID == "d-1")
            #expect(try await fixture.pipelines.find(id: pipeline.id) == nil)
            #expect(try await fixture.count("pipelines") == 1)
            #expect(try await fixture.count("jobs") == 1)
        }
    }
}
