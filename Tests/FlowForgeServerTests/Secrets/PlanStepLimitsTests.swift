import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Step containers get their account's plan's memory, CPU and pids limits, with the operator's
/// `FLOWFORGE_STEP_*` settings as the ceiling.
@Suite("plan step limits", .needsDocker, .dockerPrerequisites)
struct PlanStepLimitsTests {
    @Test func limitsCombineTheOperatorCeilingWithThePlan() {
        let ceiling = StepLimits.default  // 2 GiB, 2 CPUs, 1024 pids
        let free = ceiling.forPlan(PlanCatalog.standard.free.stepLimits)
        #expect(free.memoryBytes == 1 << 30 && free.nanoCPUs == 1_000_000_000 && free.pids == 512)
        let enterprise = ceiling.forPlan(try! #require(PlanCatalog.standard.plan(id: "enterprise")).stepLimits)
        #expect(enterprise.memoryBytes == 2 << 30 && enterprise.nanoCPUs == 2_000_000_000 && enterprise.pids == 1024)
        #expect(enterprise.openFiles == ceiling.openFiles && enterprise.logFiles == ceiling.logFiles)
    }

    @Test func aProAccountsStepGetsMoreThanAFreeOnesUpToTheCeiling() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("plan-limits.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: wait
                commands:
                  - while [ ! -f /workspace/go ]; do sleep 0.05; done
            """])
        // The ceiling: 3 GiB of memory (between free's 1 GiB and pro's 4 GiB), 4 CPUs, 800 pids.
        let environment = pipelineEnvironment(["FLOWFORGE_STEP_MEMORY": "3g", "FLOWFORGE_STEP_CPUS": "4", "FLOWFORGE_STEP_PIDS": "800"])
        try await withTestApp(environment: environment) { client, configuration in
            var seen: [String: [String: Any]] = [:]
            for plan in ["free", "pro"] {
                let account = try await client.register()
                try await setPlan(configuration, userID: account.userID, plan: plan)
                let key = try await client.createAPIKey(access: account.access)
                let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
                seen[plan] = try await Self.runningStepHostConfig(pipelineID: id)
                let workspace = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)")
                #expect(FileManager.default.createFile(atPath: workspace.appendingPathComponent("go").path, contents: nil))
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            }
            let free = try #require(seen["free"])
            #expect(free["Memory"] as? Int == 1 << 30)
            #expect(free["MemorySwap"] as? Int == 1 << 30)
            #expect(free["NanoCpus"] as? Int == 1_000_000_000)
            #expect(free["PidsLimit"] as? Int == 512)
            let pro = try #require(seen["pro"])
            #expect(pro["Memory"] as? Int == 3 << 30, "pro's 4 GiB, capped by the operator's 3 GiB")
            #expect(pro["MemorySwap"] as? Int == 3 << 30)
            #expect(pro["NanoCpus"] as? Int == 2_000_000_000, "pro's 2 CPUs, under the ceiling of 4")
            #expect(pro["PidsLimit"] as? Int == 800, "pro's 1024, capped by the operator's 800")
        }
    }

    /// The HostConfig of the pipeline's running step container, read back from the daemon.
    static func runningStepHostConfig(pipelineID: String) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let all = (DockerTestPrerequisites.containerIDs(pipelineID: pipelineID) ?? []).compactMap(DockerTestPrerequisites.inspect)
            if let step = all.first(where: { ((($0["Config"] as? [String: Any])?["Labels"] as? [String: String]) ?? [:])["flowforge.step"] == "wait" }),
               (step["State"] as? [String: Any])?["Running"] as? Bool == true,
               let host = step["HostConfig"] as? [String: Any] {
                return host
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the step of pipeline \(pipelineID) did not start within 60 s")
        throw CancellationError()
    }
}
