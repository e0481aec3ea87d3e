import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer

/// A pipeline past the month's runs, or started with no compute minutes left, is refused: 402 from the API,
/// a 2xx answer and an `error` commit status from a webhook.
@Suite("plan limits")
struct PlanLimitTests {
    @Test func the51stRunOfAFreeAccountIsRefused() async throws {
        try await withTestApp { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask { _ = try await client.createPipeline(key: key, ["repo_url": unreachableCloneURL()]) }
                }
                try await group.waitForAll()
            }
            let refused = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": unreachableCloneURL()])
            #expect(refused.status.code == 402)
            #expect(try errorCode(refused) == "plan_limit_reached")
            let message = try #require((try json(refused)["error"] as? [String: Any])?["message"] as? String)
            let reset = thisMonth.adding(months: 1).start.formatted(Date.ISO8601FormatStyle())
            #expect(message.contains("Free plan includes 50 pipeline runs a month"), "\(message)")
            #expect(message.contains("resets at \(reset)"), "\(message)")
            #expect(message.contains("upgrade to Pro (500 pipeline runs a month)"), "\(message)")
            #expect(message.contains("POST /api/billing/subscribe"), "\(message)")
            // Nothing was stored or counted.
            #expect(try await client.pipelines(key: key).count == 50)
            #expect(try await client.usage(token: key)["pipeline_runs"] as? Int == 50)
            #expect((try await client.usage(token: key)["remaining"] as? [String: Any])?["pipeline_runs"] as? Int == 0)
        }
    }

    @Test func concurrentCreationsStopExactlyAtTheLimit() async throws {
        let plans = try writePlansFile(freeRuns: 10)
        defer { try? FileManager.default.removeItem(at: plans) }
        try await withTestApp(environment: ["FLOWFORGE_PLANS_FILE": plans.path]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": unreachableCloneURL()])
                        return (Int(response.status.code), response.status == .created ? "" : try errorCode(response))
                    }
                }
                return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 10, "\(statuses)")
            #expect(statuses.filter { $0 == (402, "plan_limit_reached") }.count == 10, "\(statuses)")
            #expect(try await client.usage(token: key)["pipeline_runs"] as? Int == 10)
            #expect(try await client.pipelines(key: key).count == 10)
        }
    }

    /// 200 creations at once (the count, on PostgreSQL in the suite's PostgreSQL pass): every one is
    /// counted once, by the atomic upsert in its own transaction.
    @Test func usageIsExactAfter200ConcurrentCreations() async throws {
        let plans = try writePlansFile(freeRuns: 1000)
        defer { try? FileManager.default.removeItem(at: plans) }
        try await withTestApp(environment: ["FLOWFORGE_PLANS_FILE": plans.path]) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let created = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": unreachableCloneURL()]).status == .created
                    }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(created == 200)
            #expect(try await client.usage(token: key)["pipeline_runs"] as? Int == 200)
            let database = try openDatabase(configuration, logger: Logger(label: "test.peek"))
            defer { Task { await database.shutdown() } }
            let rows = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM pipelines").first()!.decode(column: "n", as: Int.self)
            }
            #expect(rows == 200)
        }
    }

    @Test func noComputeMinutesLeftRefusesTheNextPipelineAndRestarts() async throws {
        try await withTestApp { client, configuration in
            let (access, _, userID) = try await client.register()
            let key = try await client.createAPIKey(access: access)
            let first = try await client.createPipeline(key: key, ["repo_url": unreachableCloneURL()])
            _ = try await client.awaitPipeline(first, key: key)
            try await setUsage(configuration, userID: userID, month: thisMonth, runs: 1, minutes: 100)

            let refused = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": unreachableCloneURL()])
            #expect(refused.status.code == 402)
            let message = try #require((try json(refused)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("100 compute minutes a month"), "\(message)")
            #expect(message.contains("no pipeline can start"), "\(message)")
            let restart = try await client.send(.post, "/api/v1/pipelines/\(first)/restart", token: key)
            #expect(restart.status.code == 402)
            #expect(try errorCode(restart) == "plan_limit_reached")

            // An upgrade lifts the limit at once.
            try await setPlan(configuration, userID: userID, plan: "pro")
            _ = try await client.createPipeline(key: key, ["repo_url": unreachableCloneURL()])
            #expect(try await client.usage(token: key)["pipeline_runs"] as? Int == 2)
        }
    }

    @Test func theLargestPlanSaysThereIsNothingToUpgradeTo() async throws {
        try await withTestApp { client, configuration in
            let (access, _, userID) = try await client.register()
            let key = try await client.createAPIKey(access: access)
            try await setPlan(configuration, userID: userID, plan: "enterprise")
            try await setUsage(configuration, userID: userID, month: thisMonth, runs: 2000, minutes: 0)
            let refused = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": unreachableCloneURL()])
            #expect(refused.status.code == 402)
            let message = try #require((try json(refused)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("Enterprise plan includes 2000 pipeline runs"), "\(message)")
            #expect(message.contains("largest plan"), "\(message)")
        }
    }

    /// From a webhook: 200 (the forge must not retry), the pipeline on record as `error`, and the commit
    /// gets an `error` status saying why; a redelivery is answered the same and stores nothing more.
    @Test func aWebhookOverTheLimitIsAnsweredAndTheCommitGetsAnErrorStatus() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.grantRead(provider: "github", fullName: "octo/app", token: "gh-token")
        let plans = try writePlansFile(freeRuns: 1)
        defer { try? FileManager.default.removeItem(at: plans) }
        let environment = forgeEnvironment(forge).merging([
            "FLOWFORGE_PLANS_FILE": plans.path, "FLOWFORGE_STATUS_RETRY_BASE_MS": "50",
        ]) { _, new in new }
        try await withTestApp(environment: environment) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            let created = try await client.connectRepository(access: access, provider: "github", fullName: "octo/app", accessToken: "gh-token")
            let secret = try #require(created["webhook_secret"] as? String)
            let shas = ["1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"]
            func push(_ sha: String) -> SignedDelivery {
                let body = StatusPipelineTests.push(provider: "github", fullName: "octo/app", sha: sha, cloneURL: "http://127.0.0.1:9/octo/app.git").body
                return SignedDelivery(provider: "github", event: "push", body: Array(body.utf8))
            }
            let accepted = try await client.deliver(push(shas[0]), secret: secret)
            #expect(accepted.status == .accepted, "\(text(accepted))")

            let second = push(shas[1])
            let refused = try await client.deliver(second, secret: secret)
            #expect(refused.status == .ok, "\(text(refused))")
            let body = try json(refused)
            let reason = try #require(body["refused"] as? [String: Any], "\(body)")
            #expect(reason["code"] as? String == "plan_limit_reached")
            #expect((reason["message"] as? String)?.contains("1 pipeline runs a month") == true, "\(reason)")
            let pipelineID = try #require(body["pipeline_id"] as? String)
            let again = try await client.deliver(second, secret: secret)
            #expect(again.status == .ok && text(again) == text(refused))
            #expect(again.headers[.init("X-FlowForge-Redelivery")!] == "true")

            let pipeline = try json(try await client.send(.get, "/api/v1/pipelines/\(pipelineID)", token: key))
            #expect(pipeline["status"] as? String == "error")
            #expect((pipeline["error"] as? String)?.contains("plan limit reached") == true, "\(pipeline)")
            #expect(try await client.pipelines(key: key).count == 2)
            #expect(try await client.usage(token: key)["pipeline_runs"] as? Int == 1)

            let statuses = await forge.awaitStatusRequests(timeout: .seconds(30)) { seen in
                seen.contains { $0.sha == shas[1] && $0.answered == 201 }
            }
            let refusal = statuses.filter { $0.sha == shas[1] }
            #expect(refusal.count == 1, "\(statuses)")
            #expect(refusal.first?.state == "error")
            let description = try #require(refusal.first?.json?["description"] as? String, "\(refusal)")
            #expect(description.contains("Plan limit") && description.contains("1/1 pipeline runs") && description.contains("upgrade to Pro"), "\(description)")
            #expect(description.utf8.count <= 140)
            #expect(refusal.allSatisfy { $0.violations.isEmpty }, "\(refusal)")
        }
    }
}
