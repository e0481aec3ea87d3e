import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The pipeline pod needs no image of the operator's or the user's choosing: FlowForge builds its own.
@Suite("pod image", .needsDocker, .dockerPrerequisites)
struct PodImageRunTests {
    /// A repository whose steps all name the local test image: `hello`, and with `secondStep` another one
    /// beside it (two steps that may run side by side share a pod; a lone step runs without one).
    static func localImageRepository(_ server: GitTestServer, secondStep: Bool = false) throws -> GitTestRepository {
        let repository = try server.makeRepository("pod-\(UUID().uuidString.prefix(8)).git")
        let second = secondStep ? """

              - name: bye
                image: \(DockerTestPrerequisites.testImage)
                depends_on: []
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

    /// Runs the repository of `localImageRepository` under `settings` (besides `pipelineEnvironment`'s) until
    /// it ends, then hands `check` the pipeline and its log.
    static func runLocalImagePipeline(
        _ settings: [String: String], secondStep: Bool = false,
        _ check: @escaping @Sendable (_ pipeline: [String: Any], _ log: String) throws -> Void
    ) async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try localImageRepository(server, secondStep: secondStep)
        try await withTestApp(environment: pipelineEnvironment(settings)) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            try check(pipeline, try await client.logs(id, key: key))
        }
    }

    static func absentImage(_ kind: String) -> String {
        "flowforge-test/absent-\(kind)-\(UUID().uuidString.prefix(8).lowercased()):1"
    }

    /// `DEFAULT_DOCKER_IMAGE` names an image that is nowhere (as `alpine:latest` is on a machine without a
    /// registry): the run must not need it, because every step names its own image.
    @Test func stepsOfLocalImagesRunWithoutTheDefaultImage() async throws {
        try await Self.runLocalImagePipeline(["DEFAULT_DOCKER_IMAGE": Self.absentImage("default")]) { pipeline, log in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(log.contains("pod-less-hello"))
        }
    }

    /// An operator's `FLOWFORGE_POD_IMAGE` that cannot be had is an error about the pod image, not a step's.
    @Test func anUnusableConfiguredPodImageSaysPodImage() async throws {
        try await Self.runLocalImagePipeline(["FLOWFORGE_POD_IMAGE": Self.absentImage("pod")], secondStep: true) { pipeline, _ in
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("pod image") && error.contains("FLOWFORGE_POD_IMAGE"), "\(error)")
        }
    }

    /// A lone step without services is the run's only container: it needs no pod, so not even an unusable
    /// `FLOWFORGE_POD_IMAGE` stands in its way.
    @Test func aLoneStepRunsWithoutAPod() async throws {
        try await Self.runLocalImagePipeline(["FLOWFORGE_POD_IMAGE": Self.absentImage("pod")]) { pipeline, log in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(log.contains("pod-less-hello"))
        }
    }

    /// `commands` run in the operator's DEFAULT_DOCKER_IMAGE; when that cannot be had, the error names the
    /// setting, since the user who sent the pipeline never chose that image.
    @Test func anUnavailableDefaultImageIsNamedAsTheSetting() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try Self.localImageRepository(server)
        let absent = Self.absentImage("default")
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
