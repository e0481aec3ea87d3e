import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// What a step's container is allowed, read back from the daemon while the step runs.
@Suite("step container limits", .needsDocker, .dockerPrerequisites)
struct StepContainerLimitsTests {
    /// Polls (bounded) until `produce` gives a value.
    func eventually<T>(_ what: String, timeout: Duration = .seconds(60), _ produce: () -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = produce() { return value }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("\(what) did not happen within \(timeout)")
        throw CancellationError()
    }

    @Test func runningStepHasItsLimitsAndNoExtraPrivileges() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("limits.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: wait
                commands:
                  - grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
                  - while [ ! -f /workspace/go ]; do sleep 0.05; done
              # A second step beside it, so that the run has a pod (a lone step, or on the network none a
              # chain of steps, runs without one).
              - name: after
                depends_on: []
                commands: ["true"]
            """])
        let environment = pipelineEnvironment([
            // Below the free plan's limits (1 GiB, 1 CPU, 512 pids): the operator's settings are the ceiling.
            "FLOWFORGE_STEP_MEMORY": "300m", "FLOWFORGE_STEP_CPUS": "0.75", "FLOWFORGE_STEP_PIDS": "200",
            "FLOWFORGE_STEP_NOFILE": "4096", "FLOWFORGE_STEP_NPROC": "8192",
            "FLOWFORGE_STEP_LOG_MAX_SIZE": "5m", "FLOWFORGE_STEP_LOG_MAX_FILE": "2",
        ])
        try await withTestApp(environment: environment) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            _ = try await client.awaitPipeline(id, key: key, "to run its step") { pipeline in
                steps(pipeline).first?.status == "running"
            }
            // The pod and the step; the step is the one labelled with its name.
            let (step, pod) = try await eventually("the step's container") { () -> ([String: Any], [String: Any])? in
                let all = (DockerTestPrerequisites.containerIDs(pipelineID: id) ?? []).compactMap(DockerTestPrerequisites.inspect)
                let labels = { (c: [String: Any]) in ((c["Config"] as? [String: Any])?["Labels"] as? [String: String]) ?? [:] }
                guard let step = all.first(where: { labels($0)["flowforge.step"] == "wait" }),
                    let pod = all.first(where: { labels($0)["flowforge.role"] == "pod" }),
                    (step["State"] as? [String: Any])?["Running"] as? Bool == true
                else { return nil }
                return (step, pod)
            }
            let host = try #require(step["HostConfig"] as? [String: Any])
            #expect(host["Privileged"] as? Bool == false)
            #expect(host["CapDrop"] as? [String] == ["ALL"])
            #expect(Set(host["CapAdd"] as? [String] ?? []) == [
                "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE",
            ])
            #expect(host["SecurityOpt"] as? [String] == ["no-new-privileges"])
            #expect(host["Init"] as? Bool == true)
            #expect(host["Memory"] as? Int == 300 * 1024 * 1024)
            #expect(host["MemorySwap"] as? Int == 300 * 1024 * 1024)
            #expect(host["NanoCpus"] as? Int == 750_000_000)
            #expect(host["PidsLimit"] as? Int == 200)
            let ulimits = (host["Ulimits"] as? [[String: Any]] ?? []).map {
                "\($0["Name"] ?? "") \($0["Soft"] ?? "") \($0["Hard"] ?? "")"
            }
            #expect(Set(ulimits) == ["nofile 4096 4096", "nproc 8192 8192"])
            let log = try #require(host["LogConfig"] as? [String: Any])
            #expect(log["Type"] as? String == "json-file")
            #expect(log["Config"] as? [String: String] == ["max-size": "\(5 * 1024 * 1024)", "max-file": "2"])
            #expect((host["Binds"] as? [String] ?? []).isEmpty)
            // The workspace, and on the network none the run's own /etc/hosts beside it; never the Docker socket.
            let runFiles = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)").path
            let mounts = (step["Mounts"] as? [[String: Any]] ?? []).map { "\($0["Destination"] ?? "") <- \($0["Source"] ?? "")" }
            #expect(Set(mounts) == ["/workspace <- \(runFiles)", "/etc/hosts <- \(runFiles).hosts"] && mounts.count == 2, "\(mounts)")
            #expect(host["NetworkMode"] as? String == "container:\(pod["Id"] as? String ?? "?")", "the step joins the pod's network")

            let podHost = try #require(pod["HostConfig"] as? [String: Any])
            #expect(podHost["CapDrop"] as? [String] == ["ALL"])
            #expect((podHost["CapAdd"] as? [String] ?? []).isEmpty)
            #expect(podHost["SecurityOpt"] as? [String] == ["no-new-privileges"])
            #expect(podHost["PidsLimit"] as? Int == 16)
            #expect((podHost["Memory"] as? Int ?? 0) > 0)
            #expect((podHost["LogConfig"] as? [String: Any])?["Type"] as? String == "json-file")

            let workspace = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)")
            #expect(FileManager.default.createFile(atPath: workspace.appendingPathComponent("go").path, contents: nil))
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let output = try await client.logs(id, key: key)
            // The eight capabilities above as a bit mask: CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, FSETID 4,
            // KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE 10.
            #expect(output.contains("CapEff:\t00000000000004fb"), "\(output)")
            #expect(output.contains("NoNewPrivs:\t1"), "\(output)")
        }
    }
}
