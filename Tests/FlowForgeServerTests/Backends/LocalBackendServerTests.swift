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
