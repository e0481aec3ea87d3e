import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `flowforge admin set-plan EMAIL PLAN`, run as the real executable on the test app's own database.
@Suite("admin set-plan")
struct SetPlanCommandTests {
    /// The environment `serve` would run with for this app.
    static func environment(_ configuration: AppConfiguration) -> [String: String] {
        let url: String
        switch configuration.database {
        case .sqlite(let path): url = "sqlite://" + path
        case .postgres(let postgres): url = postgres
        }
        return ["FLOWFORGE_DATA_DIR": configuration.dataDirectory.path, "DATABASE_URL": url, "LOG_LEVEL": "error"]
    }

    static func run(_ arguments: [String], _ configuration: AppConfiguration) async throws -> (status: Int32?, output: String) {
        let process = try ServerProcess(["admin", "set-plan"] + arguments, environment: environment(configuration))
        let status = await process.waitForExit(timeout: .seconds(60))
        return (status, process.output)
    }

    @Test func setsThePlanAndRefusesUnknownEmailsAndPlans() async throws {
        try await withTestApp { client, configuration in
            let account = try await client.register(email: "ops-\(UUID().uuidString.prefix(6))@example.com")
            let email = try #require(try json(try await client.send(.get, "/api/user/profile", token: account.access))["email"] as? String)
            let done = try await Self.run([email.uppercased(), "enterprise"], configuration)
            #expect(done.status == 0, "\(done.output)")
            #expect(done.output.contains("is now on the enterprise plan"), "\(done.output)")
            let usage = try await client.usage("/api/user/usage", token: account.access)
            #expect(usage["plan"] as? String == "enterprise")
            #expect((usage["limits"] as? [String: Any])?["pipeline_runs"] as? Int == 2000)

            let unknownPlan = try await Self.run([email, "platinum"], configuration)
            #expect(unknownPlan.status == 64, "\(unknownPlan.output)")
            #expect(unknownPlan.output.contains("no plan \"platinum\": the plans are free, pro, enterprise"), "\(unknownPlan.output)")

            let unknownEmail = try await Self.run(["nobody@example.com", "pro"], configuration)
            #expect(unknownEmail.status == 1, "\(unknownEmail.output)")
            #expect(unknownEmail.output.contains("no account has the email nobody@example.com"), "\(unknownEmail.output)")
            #expect(try await client.usage("/api/user/usage", token: account.access)["plan"] as? String == "enterprise")
        }
    }
}
