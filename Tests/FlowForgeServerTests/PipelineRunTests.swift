import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Pipelines end to end: a real git server on 127.0.0.1, the real queue and workers, real containers.
@Suite("pipelines in Docker", .needsDocker, .dockerPrerequisites)
struct PipelineRunTests {
    @Test func multiStepPipelineFromFlowforgeYml() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app")
        let sha = try repository.commit([
            "flowforge.yml": """
                env:
                  GREETING: hello
                steps:
                  - name: test
                    depends_on: [build]
                    commands:
                      - cat out/artifact.txt
                      - echo "$GREETING from test"
                  - name: build
                    depends_on: []
                    commands:
                      - mkdir -p out
                      - echo "built $(cat VERSION)" > out/artifact.txt
                """,
            "VERSION": "1.2.3",
        ])
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)

            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(pipeline["commit_sha"] as? String == sha)
            #expect(pipeline["started_at"] is String && pipeline["completed_at"] is String)
            let ran = steps(pipeline)
            #expect(ran.map(\.name) == ["build", "test"])
            #expect(ran.allSatisfy { $0.status == "success" && $0.exitCode == 0 })

            let log = try await client.logs(id, key: key)
            #expect(log.contains("==> step build (success, exit code 0)"))
            #expect(log.contains("built 1.2.3"))
            #expect(log.contains("hello from test"))
            #expect(log.range(of: "==> step build")!.lowerBound < log.range(of: "==> step test")!.lowerBound)

            await awaitCleanedUp(id, workspace: configuration.dataDirectory.appendingPathComponent("workspaces/\(id)"))
        }
    }

    @Test func commandsFormRunsInTheDefaultImage() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("plain")
        try repository.commit(["README": "no flowforge.yml here"])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, [
                "repo_url": repository.fileURL, "commands": ["echo \"hello from $WHO\"", "cat README"], "env": ["WHO": "the api"],
            ])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(steps(pipeline).map(\.name) == ["run"])
            let log = try await client.logs(id, key: key)
            #expect(log.contains("hello from the api"))
            #expect(log.contains("no flowforge.yml here"))
        }
    }

    @Test func failingStepStopsTheRest() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("failing")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: lint
                commands: ["echo linting", "exit 3", "echo never printed"]
              - name: deploy
                commands: ["echo deploying"]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "failure")
            #expect((pipeline["error"] as? String)?.contains("lint") == true)
            let ran = steps(pipeline)
            #expect(ran.first?.status == "failure" && ran.first?.exitCode == 3)
            #expect(ran.last?.name == "deploy" && ran.last?.status == "skipped" && ran.last?.exitCode == nil)
            let log = try await client.logs(id, key: key)
            #expect(log.contains("linting") && !log.contains("never printed") && !log.contains("deploying\n"))
            await awaitCleanedUp(id)
        }
    }

    @Test func stepTimeoutKillsTheStep() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("slow")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: hang
                timeout: 1s
                commands: ["echo waiting", "sleep 300"]
            """])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let pipeline = try await client.awaitPipeline(id, key: key, timeout: .seconds(60))
            #expect(pipeline["status"] as? String == "failure")
            #expect((pipeline["error"] as? String)?.contains("timed out after") == true, "\(pipeline)")
            await awaitCleanedUp(id)
        }
    }

    @Test func problemsFlowForgeCannotRunAreErrors() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let badConfig = try server.makeRepository("bad-config")
        try badConfig.commit(["flowforge.yml": "steps:\n  - name: build\n    image: 42\n    commands: [make]\n    colour: blue\n"])
        let badImage = try server.makeRepository("bad-image")
        try badImage.commit(["flowforge.yml": "steps:\n  - name: build\n    image: 127.0.0.1:5999/nope/missing:1\n    commands: [make]\n"])
        let noConfig = try server.makeRepository("no-config")
        try noConfig.commit(["README": "nothing"])

        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let cases: [(String, String)] = [
                (try #require(badConfig.httpURL), "flowforge.yml:5"),
                (try #require(badImage.httpURL), "127.0.0.1:5999/nope/missing:1"),
                (try #require(noConfig.httpURL), "no flowforge.yml"),
                (server.baseURL + "/does-not-exist.git", "not found"),
            ]
            for (url, expected) in cases {
                let id = try await client.createPipeline(key: key, ["repo_url": url])
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "error", "\(url): \(pipeline)")
                let error = pipeline["error"] as? String ?? ""
                #expect(error.contains(expected), "\(url): error was \(error)")
                await awaitCleanedUp(id)
            }
        }
    }
}
