import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `GET /api/billing/plans` serves the product's catalog, or the operator's `FLOWFORGE_PLANS_FILE`, which is
/// checked at start-up.
@Suite("plans catalog")
struct PlansCatalogTests {
    @Test func servesTheProductsCatalogExactly() async throws {
        try await withTestApp { client, _ in
            let response = try await client.send(.get, "/api/billing/plans")
            #expect(response.status == .ok)
            let plans = try #require(try json(response)["plans"] as? [[String: Any]])
            let expected: [(String, String, Double, Int, Int, Int, [String])] = [
                ("free", "Free", 0, 50, 100, 1, ["Basic CI/CD", "Community Support"]),
                ("pro", "Pro", 29, 500, 1000, 3, ["Advanced CI/CD", "Priority Support", "Custom Environments"]),
                ("enterprise", "Enterprise", 99, 2000, 5000, 10, ["Unlimited CI/CD", "24/7 Support", "Custom Integrations", "SLA"]),
            ]
            #expect(plans.count == expected.count)
            for (plan, want) in zip(plans, expected) {
                #expect(plan["id"] as? String == want.0)
                #expect(plan["name"] as? String == want.1)
                #expect(plan["price"] as? Double == want.2)
                #expect(plan["pipeline_runs"] as? Int == want.3)
                #expect(plan["compute_minutes"] as? Int == want.4)
                #expect(plan["concurrent_builds"] as? Int == want.5)
                #expect(plan["features"] as? [String] == want.6)
                let limits = try #require(plan["step_limits"] as? [String: Any], "\(plan)")
                #expect((limits["memory_bytes"] as? Int ?? 0) > 0)
                #expect((limits["cpus"] as? Double ?? 0) > 0)
                #expect((limits["pids"] as? Int ?? 0) > 0)
            }
            // Bigger plans give steps at least as much.
            let memory = plans.compactMap { ($0["step_limits"] as? [String: Any])?["memory_bytes"] as? Int }
            #expect(memory == memory.sorted())
        }
    }

    @Test func aPlansFileReplacesTheCatalog() async throws {
        let yaml = """
            plans:
              - id: free
                name: Hobby
                price: 0
                pipeline_runs: 5
                compute_minutes: 10
                concurrent_builds: 1
                features: [Just CI]
              - id: team
                name: Team
                price: 12.5
                pipeline_runs: null
                compute_minutes: 600
                concurrent_builds: 4
                step_limits: {memory: 512m, cpus: 0.5, pids: 128}
            """
        let file = try Self.write(yaml, ext: "yml")
        defer { try? FileManager.default.removeItem(at: file) }
        try await withTestApp(environment: ["FLOWFORGE_PLANS_FILE": file.path]) { client, _ in
            let plans = try #require(try json(try await client.send(.get, "/api/billing/plans"))["plans"] as? [[String: Any]])
            #expect(plans.map { $0["id"] as? String } == ["free", "team"])
            #expect(plans[0]["name"] as? String == "Hobby")
            #expect(plans[1]["price"] as? Double == 12.5)
            #expect(plans[1]["pipeline_runs"] is NSNull)
            #expect(plans[1]["features"] as? [String] == [])
            let limits = try #require(plans[1]["step_limits"] as? [String: Any])
            #expect(limits["memory_bytes"] as? Int == 512 * 1024 * 1024)
            #expect(limits["cpus"] as? Double == 0.5)
            #expect(limits["pids"] as? Int == 128)
            // Sign-up takes the file's plan ids, and only those.
            let team = try await client.send(.post, "/api/auth/register", json: ["email": "t@example.com", "password": "long enough", "plan": "team"])
            #expect(team.status == .created)
            let pro = try await client.send(.post, "/api/auth/register", json: ["email": "p@example.com", "password": "long enough", "plan": "pro"])
            #expect(pro.status == .unprocessableContent)
            #expect(text(pro).contains("free, team"), "\(text(pro))")
        }
    }

    @Test func aJSONPlansFileWorksToo() async throws {
        let json = """
            {"plans": [{"id": "free", "name": "Free", "price": 0, "pipeline_runs": 1, "compute_minutes": 2,
                        "concurrent_builds": 1, "features": ["a"]}]}
            """
        let file = try Self.write(json, ext: "json")
        defer { try? FileManager.default.removeItem(at: file) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "FLOWFORGE_PLANS_FILE": file.path])
        #expect(configuration.plans.plans.map(\.id) == ["free"])
        #expect(configuration.plans.free.pipelineRuns == 1)
        #expect(configuration.plans.free.stepLimits == .standard)
    }

    @Test(arguments: [
        ("plans: [", "invalid YAML"),
        ("", "empty"),
        ("plans: []", "non-empty list"),
        ("plan:\n  - id: free", "unknown key `plan` (did you mean `plans`?)"),
        (PlansCatalogTests.plan("pro"), "no plan with id `free`"),
        (PlansCatalogTests.plan("free") + PlansCatalogTests.item("free"), "plans[1] has the id `free` of plans[0]"),
        (PlansCatalogTests.plan("free", extra: "    pipline_runs: 3\n"), "unknown key `pipline_runs` (did you mean `pipeline_runs`?)"),
        (PlansCatalogTests.plan("free", runs: "\"50\""), "plans[0].pipeline_runs must be a whole number"),
        (PlansCatalogTests.plan("free", runs: "-1"), "plans[0].pipeline_runs must be a whole number"),
        (PlansCatalogTests.plan("free", price: "9.999"), "more than two decimals"),
        (PlansCatalogTests.plan("free", price: "cheap"), "plans[0].price must be a number"),
        (PlansCatalogTests.plan("free", concurrent: "0"), "plans[0].concurrent_builds must be a whole number from 1"),
        (PlansCatalogTests.plan("Free Plan"), "plans[0].id `Free Plan` must be"),
        (PlansCatalogTests.plan("free", extra: "    step_limits: {memory: lots}\n"), "step_limits.memory must be a size"),
        (PlansCatalogTests.plan("free", extra: "    step_limits: {cpus: 0}\n"), "step_limits.cpus must be a number of CPUs"),
        ("plans:\n  - id: free\n    name: Free\n", "plans[0] has no `price`"),
    ])
    func aBadPlansFileStopsStartUp(content: String, says: String) throws {
        let file = try Self.write(content, ext: "yml")
        defer { try? FileManager.default.removeItem(at: file) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "FLOWFORGE_PLANS_FILE": file.path])
        }
        #expect(error?.variable == "FLOWFORGE_PLANS_FILE")
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
        // The message points at the file (and, where there is one, its line).
        #expect(error?.message.hasPrefix(file.path) == true, "\(error?.message ?? "")")
    }

    @Test func aMissingPlansFileStopsStartUp() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path, "FLOWFORGE_PLANS_FILE": "/nonexistent/plans.yml"])
        }
        #expect(error?.variable == "FLOWFORGE_PLANS_FILE")
        #expect(error?.message.contains("cannot read /nonexistent/plans.yml") == true, "\(error?.message ?? "")")
    }

    static func item(_ id: String, price: String = "0", runs: String = "50", concurrent: String = "1", extra: String = "") -> String {
        """
          - id: \(id)
            name: Some plan
            price: \(price)
            pipeline_runs: \(runs)
            compute_minutes: 100
            concurrent_builds: \(concurrent)

        """ + extra
    }

    static func plan(_ id: String, price: String = "0", runs: String = "50", concurrent: String = "1", extra: String = "") -> String {
        "plans:\n" + item(id, price: price, runs: runs, concurrent: concurrent, extra: extra)
    }

    static func write(_ text: String, ext: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-plans-\(UUID().uuidString).\(ext)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
