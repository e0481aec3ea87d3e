import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// A fresh pipeline id and workspace for one Docker test, and the checks every such test ends with.
struct DockerRunFixture {
    static let image = DockerTestPrerequisites.testImage

    let pipelineID = "test-\(UUID().uuidString.lowercased())"
    let workspace: URL
    let backend: DockerBackend

    init(backend: ((Logger) -> DockerBackend)? = nil) throws {
        if let problem = DockerTestPrerequisites.problem() {
            Issue.record(Comment(rawValue: problem))
            throw DockerUnavailable()
        }
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        let logger = Logger(label: "flowforge.runner.tests")
        self.backend =
            backend?(logger)
            ?? DockerBackend(host: DockerTestPrerequisites.host, network: "none", podImage: Self.image, logger: logger)
    }

    static func step(
        _ name: String, _ commands: [String], environment: [String: String] = [:], timeoutSeconds: Int? = nil,
        image: String = image
    ) -> PlanStep {
        PlanStep(name: name, image: image, commands: commands, environment: environment, timeoutSeconds: timeoutSeconds)
    }

    /// A run of `steps`. `chained`: each step without dependencies depends on the one before it, as in a
    /// file without `depends_on`; otherwise the steps' own graph is kept.
    func request(_ steps: [PlanStep], timeout: Duration = .seconds(60), chained: Bool = true) -> RunRequest {
        var steps = steps
        if chained {
            for index in steps.indices.dropFirst() where steps[index].dependsOn.isEmpty {
                steps[index].dependsOn = [steps[index - 1].name]
            }
        }
        return RunRequest(pipelineID: pipelineID, plan: Plan(steps: steps), workspace: workspace.path, timeout: timeout)
    }

    /// The labels of a container, from the daemon's inspect answer.
    static func labels(_ container: [String: Any]) -> [String: String] {
        ((container["Config"] as? [String: Any])?["Labels"] as? [String: String]) ?? [:]
    }

    /// The run's containers as the daemon describes them now.
    func containers() -> [[String: Any]] {
        (DockerTestPrerequisites.containerIDs(pipelineID: pipelineID) ?? []).compactMap { DockerTestPrerequisites.inspect(container: $0) }
    }

    /// The run's own `/etc/hosts` (network `none`): these requests name no `runFiles`, so in a folder of the
    /// run's own in the temporary folder.
    var hostsFile: URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-\(pipelineID)", isDirectory: true)
            .appendingPathComponent("hosts")
    }

    /// Every test ends here: the run must not have left a container, or its hosts file, behind.
    func expectNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(DockerTestPrerequisites.containerIDs(pipelineID: pipelineID) == [], sourceLocation: sourceLocation)
        #expect(
            !FileManager.default.fileExists(atPath: hostsFile.deletingLastPathComponent().path), "the run left its hosts file",
            sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(at: workspace)
    }
}

struct DockerUnavailable: Error {}
