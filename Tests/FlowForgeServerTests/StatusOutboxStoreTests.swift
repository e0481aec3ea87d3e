import Foundation
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// The outbox's claiming rules on a real database: newest status per commit and context wins, one send
/// at a time per key, and a dead sender's lease is taken over.
@Suite("status outbox store")
struct StatusOutboxStoreTests {
    @Test func onlyTheNewestStatusOfACommitAndContextIsSent() async throws {
        try await StatusStoreFixture.with { fixture in
            let outbox = fixture.outbox
            try await outbox.enqueue(fixture.status("github", state: "pending", sequence: 10), now: 1_000)
            try await outbox.enqueue(fixture.status("github", state: "running", sequence: 11), now: 1_000)
            try await outbox.enqueue(fixture.status("github", state: "success", sequence: 12), now: 1_000)

            let claimed = try #require(try await outbox.claim(owner: "a", now: 2_000, lease: 1_000))
            #expect(claimed.status.state == "success" && claimed.attempts == 1 && claimed.delivery == .sending)
            #expect(try await outbox.claim(owner: "b", now: 2_000, lease: 1_000) == nil)
            let rows = try await outbox.rows(pipelineID: fixture.pipelines["github"]!)
            #expect(rows.map(\.delivery) == [.superseded, .superseded, .sending])
            #expect(try await outbox.markDelivered(id: claimed.id, owner: "a", at: 2_100))
            #expect(try await outbox.markDelivered(id: claimed.id, owner: "a", at: 2_200) == false, "a second call changes nothing")
            #expect(try await fixture.row("github").deliveredAt == 2_100)
        }
    }

    @Test func aNewerStatusWaitsWhileAnOlderOneIsInFlight() async throws {
        try await StatusStoreFixture.with { fixture in
            let outbox = fixture.outbox
            try await outbox.enqueue(fixture.status("gitlab", state: "pending", sequence: 1), now: 1_000)
            let first = try #require(try await outbox.claim(owner: "a", now: 1_000, lease: 5_000))
            try await outbox.enqueue(fixture.status("gitlab", state: "success", sequence: 2), now: 1_500)
            #expect(try await outbox.claim(owner: "b", now: 2_000, lease: 5_000) == nil, "the pending post is still in flight")
            // Another commit of the same repository is independent.
            try await outbox.enqueue(fixture.status("gitlab", state: "pending", sequence: 1, sha: "def456"), now: 1_500)
            #expect(try await outbox.claim(owner: "b", now: 2_000, lease: 5_000)?.status.sha == "def456")

            #expect(try await outbox.markDelivered(id: first.id, owner: "a", at: 2_500))
            let second = try #require(try await outbox.claim(owner: "b", now: 3_000, lease: 5_000))
            #expect(second.status.state == "success")
        }
    }

    @Test func anExpiredLeaseIsTakenOverAndTheOldOwnerLosesIt() async throws {
        try await StatusStoreFixture.with { fixture in
            let outbox = fixture.outbox
            try await outbox.enqueue(fixture.status("bitbucket"), now: 1_000)
            let first = try #require(try await outbox.claim(owner: "dead", now: 1_000, lease: 1_000))
            #expect(try await outbox.claim(owner: "alive", now: 1_500, lease: 1_000) == nil)
            let again = try #require(try await outbox.claim(owner: "alive", now: 2_500, lease: 1_000))
            #expect(again.id == first.id && again.attempts == 2)
            #expect(try await outbox.reschedule(id: first.id, owner: "dead", nextAttemptAt: 9_000, error: "late") == false)
            #expect(try await outbox.reschedule(id: first.id, owner: "alive", nextAttemptAt: 9_000, error: "HTTP 500"))
            #expect(try await outbox.claim(owner: "alive", now: 8_999, lease: 1_000) == nil, "not due before next_attempt_at")
            let row = try await fixture.row("bitbucket")
            #expect(row.delivery == .pending && row.nextAttemptAt == 9_000 && row.lastError == "HTTP 500")
        }
    }
}
