import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// Image names from a repository reach Docker Engine API paths and choose where the daemon pulls from.
/// Hostile ones end the pipeline as `error` with a clear message before any container or pull.
@Suite("hostile image names")
struct ImageNameTests {
    func run(image: String, environment: [String: String] = [:]) async throws -> [String: Any] {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("images.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: probe
                image: '\(image)'
                commands: [echo hi]
            """])
        let pipeline = PipelineBox()
        try await withTestApp(environment: pipelineEnvironment(environment)) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            pipeline.value = try await client.awaitPipeline(id, key: key)
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: id) ?? [] == [])
        }
        return pipeline.value
    }

    @Test(arguments: [
        ("../../containers/json?all=1&x=", "is not a valid image reference: the registry `..`"),
        ("Alpine", "is not a valid image reference: the path component `Alpine` must be lowercase"),
        ("", "image is empty"),
        ("alpine:3@sha256:zz", "is not a valid image reference: the digest"),
    ])
    func invalidNamesAreConfigErrors(image: String, expected: String) async throws {
        let pipeline = try await run(image: image)
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        let error = try #require(pipeline["error"] as? String)
        #expect(error.contains(expected), "\(error)")
        #expect(error.hasPrefix("flowforge.yml:"), "\(error)")
    }

    @Test(arguments: ["127.0.0.1:5000/evil:1", "[::1]:5000/x:1", "localhost:5000/x:1", "169.254.169.254/latest/x:1", "[64:ff9b::7f00:1]/x:1"])
    func localRegistriesAreRefused(image: String) async throws {
        let pipeline = try await run(image: image)
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        let error = try #require(pipeline["error"] as? String)
        #expect(error.contains("which FlowForge does not pull from"), "\(error)")
        #expect(error.contains("step probe"), "\(error)")
    }
}

/// A registry's answer never reaches the pipeline's error: it is whatever a service at that address said.
@Suite("image pull errors", .needsDocker, .dockerPrerequisites)
struct ImagePullErrorTests {
    @Test func registryBodyIsNotEchoed() async throws {
        let marker = "registry-body-\(UUID().uuidString)"
        let registry = try ScriptedTestServer.http(status: 404, body: marker, registry: true)
        defer { registry.stop() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("pull.git")
        try repository.commit(["flowforge.yml": """
            steps:
              - name: probe
                image: 127.0.0.1:\(registry.port)/evil:1
                commands: [echo hi]
            """])
        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_ALLOW_LOCAL_REGISTRIES": "true"])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("could not be pulled"), "\(error)")
            #expect(registry.count() > 0, "the daemon never asked the registry, so the test proves nothing")
            #expect(!"\(pipeline)".contains(marker), "\(error)")
            #expect(!(try await client.logs(id, key: key)).contains(marker))
        }
    }

    /// A registry nobody answers at is "not reachable", not "no such image"; a registry that answers 404 is
    /// the other way round. The two need different fixes, so the error must say which.
    @Test func unreachableRegistryIsToldApartFromAMissingImage() async throws {
        let missing = try ScriptedTestServer.http(status: 404, body: #"{"errors":[{"code":"MANIFEST_UNKNOWN"}]}"#, registry: true)
        defer { missing.stop() }
        // A port that was just listened on and is closed now: connections to it are refused.
        let closed = try ScriptedTestServer.http(status: 404, body: "")
        let closedPort = closed.port
        closed.stop()
        let server = try GitTestServer()
        defer { server.stop() }
        func repository(_ image: String) throws -> GitTestRepository {
            let repository = try server.makeRepository("pull-\(UUID().uuidString.prefix(8)).git")
            try repository.commit(["flowforge.yml": """
                steps:
                  - name: probe
                    image: \(image)
                    commands: [echo hi]
                """])
            return repository
        }
        let unreachable = try repository("127.0.0.1:\(closedPort)/x:1")
        let absent = try repository("127.0.0.1:\(missing.port)/absent:1")
        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_ALLOW_LOCAL_REGISTRIES": "true"])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let first = try await client.createPipeline(key: key, ["repo_url": try #require(unreachable.httpURL), "branch": "main"])
            let second = try await client.createPipeline(key: key, ["repo_url": try #require(absent.httpURL), "branch": "main"])
            let refused = try #require(try await client.awaitPipeline(first, key: key)["error"] as? String)
            #expect(refused.contains("registry 127.0.0.1:\(closedPort) is not reachable"), "\(refused)")
            #expect(refused.contains("connection refused"), "\(refused)")
            #expect(!refused.contains("no such image"), "\(refused)")
            let notFound = try #require(try await client.awaitPipeline(second, key: key)["error"] as? String)
            #expect(notFound.contains("has no such image or tag"), "\(notFound)")
            #expect(!notFound.contains("not reachable"), "\(notFound)")
            #expect(missing.count() > 0, "the daemon never asked the registry, so the test proves nothing")
        }
    }
}
