import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// The outbox sender against a fake forge on 127.0.0.1: each forge's request, retries, rate limits, refusals.
@Suite("status delivery")
struct StatusDeliveryTests {
    @Test func eachForgeGetsItsOwnRequestWithTheRepositorysToken() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        try await StatusStoreFixture.with { fixture in
            let service = fixture.service(forge: forge)
            try await fixture.outbox.enqueue(fixture.status("github", state: "success", description: "Passed"), now: Clock.nowMillis())
            try await fixture.outbox.enqueue(fixture.status("gitlab", state: "running", description: "Running"), now: Clock.nowMillis())
            try await fixture.outbox.enqueue(fixture.status("bitbucket", state: "failure", description: "Failed"), now: Clock.nowMillis())
            for _ in 0..<3 { try #require(try await fixture.attempt(service) != nil) }
            #expect(try await fixture.attempt(service) == nil)

            let seen = await forge.statusRequests()
            #expect(seen.count == 3)
            #expect(seen.allSatisfy { $0.violations.isEmpty && $0.answered == 201 }, "\(seen)")
            #expect(seen.allSatisfy { $0.headers["authorization"] == "Bearer \(StatusStoreFixture.token)" })
            let byForge = Dictionary(uniqueKeysWithValues: seen.map { ($0.api ?? "", $0) })
            #expect(byForge["github"]?.path == "/repos/octo/app/statuses/abc123")
            #expect(byForge["github"]?.state == "success")
            #expect(byForge["github"]?.context == "flowforge/ci/push")
            #expect(byForge["github"]?.targetURL == "http://localhost:8080/dashboard/pipelines/\(fixture.pipelines["github"]!)")
            #expect(byForge["gitlab"]?.path == "/api/v4/projects/group%2Fsub%2Fapp/statuses/abc123")
            #expect(byForge["gitlab"]?.state == "running")
            #expect(byForge["bitbucket"]?.path == "/2.0/repositories/team/app/commit/abc123/statuses/build")
            #expect(byForge["bitbucket"]?.state == "FAILED")
            for provider in ["github", "gitlab", "bitbucket"] {
                #expect(try await fixture.row(provider).delivery == .delivered)
            }
        }
    }

    @Test func serverErrorsBackOffExponentiallyThenDeliver() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.failNext(3, status: 500)
        try await StatusStoreFixture.with { fixture in
            let base: Int64 = 1_000
            let service = fixture.service(forge: forge, baseDelayMillis: base)
            try await fixture.outbox.enqueue(fixture.status("github", state: "success"), now: Clock.nowMillis())
            var now = Clock.nowMillis()
            for attempt in 1...3 {
                try #require(try await fixture.attempt(service, now: now) != nil)
                let row = try await fixture.row("github")
                #expect(row.delivery == .pending && row.attempts == attempt)
                #expect(row.lastError?.contains("HTTP 500") == true)
                let full = base << (attempt - 1)
                let delay = row.nextAttemptAt - Clock.nowMillis()
                #expect(delay <= full && delay >= full / 2 - 100, "attempt \(attempt): retry in \(delay) ms")
                #expect(try await fixture.outbox.claim(owner: "other", now: row.nextAttemptAt - 1, lease: 1) == nil)
                now = row.nextAttemptAt
            }
            try #require(try await fixture.attempt(service, now: now) != nil)
            #expect(try await fixture.row("github").delivery == .delivered)
            #expect(await forge.statusRequests().map(\.answered) == [500, 500, 500, 201])
        }
    }

    @Test func rateLimitsSetTheNextAttemptToWhenTheForgeSaid() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let resetSeconds = Clock.nowMillis() / 1000 + 3600
        await forge.failNext(1, status: 403, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "\(resetSeconds)"])
        await forge.failNext(1, status: 429, headers: ["Retry-After": "120"])
        try await StatusStoreFixture.with { fixture in
            let service = fixture.service(forge: forge)
            try await fixture.outbox.enqueue(fixture.status("github"), now: Clock.nowMillis())
            try await fixture.outbox.enqueue(fixture.status("gitlab"), now: Clock.nowMillis())
            try #require(try await fixture.attempt(service) != nil)
            let before = Clock.nowMillis()
            try #require(try await fixture.attempt(service) != nil)
            let after = Clock.nowMillis()
            let answered = await forge.statusRequests().map { ($0.api ?? "", $0.answered) }
            let limited = try #require(answered.first { $0.1 == 403 }?.0)
            let retried = try #require(answered.first { $0.1 == 429 }?.0)

            let github = try await fixture.row(limited)
            #expect(github.delivery == .pending && github.nextAttemptAt == resetSeconds * 1000)
            let gitlab = try await fixture.row(retried)
            #expect(gitlab.delivery == .pending)
            #expect(gitlab.nextAttemptAt >= before + 120_000 - 1_000 && gitlab.nextAttemptAt <= after + 120_000)
            #expect(try await fixture.attempt(service) == nil, "nothing is due before the forge's time")
        }
    }

    @Test func aRefusalIsNotRetriedAndAnOldStatusIsGivenUp() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.failNext(1, status: 404)
        await forge.failNext(1, status: 502)
        try await StatusStoreFixture.with { fixture in
            let service = fixture.service(forge: forge)
            try await fixture.outbox.enqueue(fixture.status("github"), now: Clock.nowMillis())
            try #require(try await fixture.attempt(service) != nil)
            let refused = try await fixture.row("github")
            #expect(refused.delivery == .failed && refused.lastError?.contains("HTTP 404") == true)

            let dayAgo = Clock.nowMillis() - 24 * 3600 * 1000 - 1
            try await fixture.outbox.enqueue(fixture.status("bitbucket"), now: dayAgo)
            try #require(try await fixture.attempt(service) != nil)
            let stale = try await fixture.row("bitbucket")
            #expect(stale.delivery == .failed && stale.lastError?.hasPrefix("gave up after 1 attempts") == true, "\(stale)")
            #expect(try await fixture.attempt(service, now: Clock.nowMillis() + 3_600_000) == nil)
        }
    }

    @Test func aForgeThatCannotBeReachedIsRetried() async throws {
        try await StatusStoreFixture.with { fixture in
            // Nothing listens on port 1 of the loopback: the connection is refused, as by a forge that is down.
            let service = fixture.service(baseURL: "http://127.0.0.1:1")
            try await fixture.outbox.enqueue(fixture.status("gitlab", state: "success"), now: Clock.nowMillis())
            try #require(try await fixture.attempt(service) != nil)
            let row = try await fixture.row("gitlab")
            #expect(row.delivery == .pending && row.attempts == 1)
            #expect(row.lastError?.contains("could not reach gitlab") == true, "\(row.lastError ?? "")")
        }
    }
}
