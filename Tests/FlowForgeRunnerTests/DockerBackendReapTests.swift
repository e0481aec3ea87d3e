import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerBackendReapTests {
    @Test func reapRemovesLeftoversAndKeepsListedPipelines() async throws {
        let leftover = try DockerRunFixture()
        let kept = try DockerRunFixture()
        let client = try leftover.backend.client()
        for pipeline in [leftover.pipelineID, kept.pipelineID] {
            let id = try await client.createContainer(
                DockerContainerConfig(
                    Image: DockerRunFixture.image, Cmd: ["sleep", "60"],
                    Labels: [DockerBackend.pipelineLabel: pipeline],
                    HostConfig: .init(NetworkMode: "none", PidsLimit: 16)))
            try await client.startContainer(id)
        }
        // Other tests run pipelines at the same time: keep every pipeline that exists now but the leftover.
        let others = try await client.listContainers(label: DockerBackend.pipelineLabel)
            .compactMap { $0.Labels?[DockerBackend.pipelineLabel] }
        let keeping = Set(others).subtracting([leftover.pipelineID])

        let removed = try await leftover.backend.reap(keeping: keeping)

        #expect(removed == 1)
        #expect(DockerTestPrerequisites.containerIDs(pipelineID: leftover.pipelineID) == [])
        #expect(DockerTestPrerequisites.containerIDs(pipelineID: kept.pipelineID)?.count == 1)
        #expect(try await leftover.backend.reap(keeping: keeping.union([leftover.pipelineID])) == 0)
        for id in DockerTestPrerequisites.containerIDs(pipelineID: kept.pipelineID) ?? [] {
            try await client.removeContainer(id)
        }
        leftover.expectNothingLeft()
        kept.expectNothingLeft()
    }

    @Test func badHostIsExplained() async throws {
        let backend = DockerBackend(host: "docker.sock", podImage: "x", logger: Logger(label: "test"))
        let outcome = await backend.run(
            RunRequest(pipelineID: "p", plan: .init(steps: []), workspace: ".", timeout: .seconds(1)),
            observer: RecordingObserver())
        #expect(outcome == .error(#"Docker host "docker.sock" is not understood; use unix:///var/run/docker.sock or tcp://127.0.0.1:2375"#))
    }

    @Test func missingDaemonIsExplainedWithoutWaiting() async throws {
        let socket = FileManager.default.temporaryDirectory.appendingPathComponent("no-dockerd-\(UUID().uuidString).sock").path
        let backend = DockerBackend(host: "unix://\(socket)", podImage: "x", logger: Logger(label: "test"))
        let observer = RecordingObserver()
        let outcome = await backend.run(
            RunRequest(pipelineID: "p", plan: .init(steps: []), workspace: ".", timeout: .seconds(1)), observer: observer)
        #expect(outcome == .error(
            "the Docker daemon at unix://\(socket) is not reachable (No such file or directory): start dockerd, "
                + "or set DOCKER_HOST to where it listens"))
        await #expect(throws: DockerError.self) { try await backend.pipelineIDsWithContainers() }
    }
}
