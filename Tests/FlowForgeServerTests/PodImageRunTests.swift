import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The pipeline pod needs no image of the operator's or the user's choosing: FlowForge builds its own.
@Suite("pod image", .needsDocker, .dockerPrerequisites)
struct PodImageRunTests {
    /// A repository whose steps all name the local test image: `hello`, and with `secondStep` another one
    /// after it (two steps share a pod; a lone step runs without one).
    static func localImageRepository(_ server: GitTestServer, secondStep: Bool = false) throws -> GitTestRepository {
        let repository = try server.makeRepository("pod-\(UUID().uuidString.prefix(8)).git")
        let second = secondStep ? """

              - name: bye
                image: \(DockerTestPrerequisites.testImage)
                commands: [echo pod-less-bye]
            """ : ""
        try repository.commit(["flowforge.yml": """
            steps:
              - name: hello
                image: \(DockerTestPrerequisites.testImage)
                commands: [echo pod-less-hello]
            """ + second])
        return repository
    }

    /// `DEFAULT_DOCKER_IMAGE` names an image that is nowhere (as `alpine:latest` is on a machine without a
    /// registry): the run must not need it, because every step names its own image.
    @Test func stepsOfLocalImagesRunWithoutTheDefaultImage() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try Self.localImageRepository(server)
        let environment = pipelineEnvironment(["DEFAULT_DOCKER_IMAGE": "flowforge-test/absent-default-\(UUID().uuidString.prefix(8).lowercased()):1"])
        try await withTestApp(environment: environment) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(try await client.logs(id, key: key).contains("pod-less-hello"))
        }
    }

    /// An operator's `FLOWFORGE_POD_IMAGE` that cannot be had is an error about the pod image, not a step's.
    @Test func anUnusableConfiguredPodImageSaysPodImage() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try Self.localImageRepository(server, secondStep: true)
        let environment = pipelineEnvironment(["FLOWFORGE_POD_IMAGE": "flowforge-test/absent-pod-\(UUID().uuidString.prefix(8).lowercased()):1"])
        try await withTestApp(environment: environment) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("pod image") && error.contains("FLOWFORGE_POD_IMAGE"), "\(error)")
        }
    }

    /// A lone step without services is the run's only container: it needs no pod, so not even an unusable
    /// `FLOWFORGE_POD_IMAGE` stands in its way, and its container has the step network itself.
    @Test func aLoneStepRunsWithoutAPod() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try Self.localImageRepository(server)
        let environment = pipelineEnvironment(["FLOWFORGE_POD_IMAGE": "flowforge-test/absent-pod-\(UUID().uuidString.prefix(8).lowercased()):1"])
        try await withTestApp(environment: environment) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(try await client.logs(id, key: key).contains("pod-less-hello"))
        }
    }

    /// `commands` run in the operator's DEFAULT_DOCKER_IMAGE; when that cannot be had, the error names the
    /// setting, since the user who sent the pipeline never chose that image.
    @Test func anUnavailableDefaultImageIsNamedAsTheSetting() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try Self.localImageRepository(server)
        let absent = "flowforge-test/absent-default-\(UUID().uuidString.prefix(8).lowercased()):1"
        try await withTestApp(environment: pipelineEnvironment(["DEFAULT_DOCKER_IMAGE": absent])) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(
                key: key, ["repo_url": try #require(repository.httpURL), "branch": "main", "commands": ["echo hi"]])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("image \"\(absent)\"") && error.contains("DEFAULT_DOCKER_IMAGE"), "\(error)")
        }
    }
}
