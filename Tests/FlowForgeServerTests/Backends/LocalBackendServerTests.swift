import FlowForgeRunner
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `FLOWFORGE_BACKEND=local` on the server: a real clone, the real queue and log store, steps as processes.
@Suite("local backend on the server")
struct LocalBackendServerTests {
    @Test func aPipelineRunsAsLocalProcessesAndSaysSo() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-local-server-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "local.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: build
                commands:
                  - echo "pipeline $FLOWFORGE_PIPELINE_ID on $FLOWFORGE_BRANCH"
                  - cat flowforge.yml | head -1
              - name: check
                commands: ["test -f flowforge.yml", "echo checked"]
            """])
        try await withTestApp(environment: ["FLOWFORGE_BACKEND": "local", "DOCKER_HOST": "unix:///nonexistent/docker.sock"]) { client, configuration in
            #expect(configuration.backend == "local")
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(pipeline["backend"] as? String == "local", "the API says how the steps ran: \(pipeline)")

            let build = String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)/steps/build/logs", token: key).body)
            #expect(build.hasPrefix(LocalBackend.notice), "the first log line says the steps are not isolated:\n\(build)")
            #expect(build.contains("pipeline \(id) on main\n") && build.contains("steps:\n"), "\(build)")
            let check = String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)/steps/check/logs", token: key).body)
            #expect(check.contains("checked\n"), "\(check)")
        }
    }

    @Test func cancelThroughTheAPIEndsTheStepsWholeTree() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-local-cancel-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let pids = root.appendingPathComponent("pids")
        let repository = try GitTestRepository(name: "local-cancel.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: long
                commands:
                  - "sleep 300 & echo $! >> \(pids.path)"
                  - "sh -c 'sleep 301 & echo $! >> \(pids.path); wait' & echo $! >> \(pids.path)"
                  - wait
              - name: after
                commands: [echo never]
            """])
        try await withTestApp(environment: ["FLOWFORGE_BACKEND": "local"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            _ = try await client.awaitPipeline(id, key: key, "to start its children") { _ in
                ((try? String(contentsOf: pids, encoding: .utf8)) ?? "").split(separator: "\n").count == 3
            }

            let stopping = try await client.send(.post, "/api/v1/pipelines/\(id)/cancel", token: key)
            #expect(stopping.status == .accepted)
            let stopped = try await client.awaitPipeline(id, key: key)
            #expect(stopped["status"] as? String == "canceled", "\(stopped)")
            #expect(steps(stopped).map(\.status) == ["canceled", "canceled"])
            let children = try String(contentsOf: pids, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
            #expect(try await stillRunning(children).isEmpty, "processes of the canceled step still run")
        }
    }

    @Test func autoFallsBackToLocalOnlyWhenDockerDoesNotAnswer() throws {
        let docker = DockerBackend(host: "unix:///nonexistent/docker.sock", logger: .init(label: "test"))
        let auto = BackendChoice.auto.resolve(docker: docker, logger: .init(label: "test"))
        #expect(auto.name == "local")
        #expect(auto.note?.contains("no Docker daemon answers at unix:///nonexistent/docker.sock") == true, "\(auto.note ?? "")")
        #expect(auto.note?.contains("falling back to the local backend") == true)

        let strict = BackendChoice.docker.resolve(docker: docker, logger: .init(label: "test"))
        #expect(strict.name == "docker", "only auto falls back")
        #expect(strict.note?.contains("steps cannot run until it does") == true)

        #expect(throws: (any Error).self) {
            _ = try AppConfiguration.fromEnvironment(["FLOWFORGE_BACKEND": "kubernetes"])
        }
    }
}
