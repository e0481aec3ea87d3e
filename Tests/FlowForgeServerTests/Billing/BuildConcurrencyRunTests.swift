import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `concurrent_builds` end to end: real workers, real containers.
@Suite("concurrent builds in Docker", .needsDocker, .dockerPrerequisites)
struct BuildConcurrencyRunTests {
    /// Free allows one build at a time: with two worker slots free, the second pipeline still waits,
    /// `pending`, until the first has ended. A pro account's two pipelines run side by side as a control.
    @Test func aFreeAccountsSecondPipelineWaitsForTheFirst() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("slow")
        try repository.commit(["README": "sleeps"])
        try await withTestApp(environment: pipelineEnvironment(["MAX_CONCURRENT_PIPELINES": "2"])) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let body: [String: Any] = ["repo_url": repository.fileURL, "commands": ["sleep 2"]]
            let first = try await client.createPipeline(key: key, body)
            let second = try await client.createPipeline(key: key, body)
            _ = try await client.awaitPipeline(first, key: key, "to start") { $0["status"] as? String == "running" }
            #expect(try json(try await client.send(.get, "/api/v1/pipelines/\(second)", token: key))["status"] as? String == "pending")
            let one = try await client.awaitPipeline(first, key: key)
            let two = try await client.awaitPipeline(second, key: key)
            #expect(one["status"] as? String == "success" && two["status"] as? String == "success", "\(one) \(two)")
            #expect(try Self.time(two, "started_at") >= Self.time(one, "completed_at"), "\(one) \(two)")

            let (proAccess, _, proID) = try await client.register()
            try await setPlan(configuration, userID: proID, plan: "pro")
            let proKey = try await client.createAPIKey(access: proAccess)
            let a = try await client.createPipeline(key: proKey, body)
            let b = try await client.createPipeline(key: proKey, body)
            let doneA = try await client.awaitPipeline(a, key: proKey)
            let doneB = try await client.awaitPipeline(b, key: proKey)
            #expect(try Self.time(doneB, "started_at") < Self.time(doneA, "completed_at"), "pro runs two at once: \(doneA) \(doneB)")
        }
    }

    static func time(_ pipeline: [String: Any], _ key: String) throws -> Date {
        let text = try #require(pipeline[key] as? String, "\(key) in \(pipeline)")
        return try Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
