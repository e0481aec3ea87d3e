import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// True on CI, where every prerequisite must be present and a missing one fails instead of skipping.
let isCI = ProcessInfo.processInfo.environment["CI"] != nil

/// Docker-backed tests run when a daemon and the test image are there, and always on CI.
let dockerAvailable = isCI || DockerTestPrerequisites.problem() == nil

extension Trait where Self == ConditionTrait {
    /// Skips a suite on a machine without dockerd or the test image (never on CI, see `dockerAvailable`).
    static var needsDocker: Self {
        .enabled(if: dockerAvailable, "needs dockerd and the test image (scripts/ci/start-dockerd.sh, build-test-image.sh)")
    }
}

/// Records what is missing (no daemon, no test image) as an issue of each test that runs anyway, i.e. on CI,
/// so the failure says why rather than showing as a pipeline that ended in `error`.
struct DockerPrerequisites: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        if !test.isSuite, let problem = DockerTestPrerequisites.problem() { Issue.record(Comment(rawValue: problem)) }
        try await function()
    }
}

extension Trait where Self == DockerPrerequisites {
    static var dockerPrerequisites: Self { DockerPrerequisites() }
}

/// The environment that points the app at the local Docker daemon and test image.
func pipelineEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var environment = [
        "FLOWFORGE_ALLOW_LOCAL_REPOS": "true",
        "DEFAULT_DOCKER_IMAGE": DockerTestPrerequisites.testImage,
        "FLOWFORGE_DOCKER_NETWORK": "none",
        "DOCKER_HOST": DockerTestPrerequisites.host,
    ]
    environment.merge(extra) { _, new in new }
    return environment
}

extension TestClientProtocol {
    /// Creates a pipeline and returns its id.
    func createPipeline(key: String, _ body: [String: Any]) async throws -> String {
        let response = try await send(.post, "/api/v1/pipelines", token: key, json: body)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try #require(try json(response)["id"] as? String)
    }

    /// Polls the pipeline until it reaches a final state (bounded), and returns its JSON.
    func awaitPipeline(_ id: String, key: String, timeout: Duration = .seconds(90)) async throws -> [String: Any] {
        try await awaitPipeline(id, key: key, timeout: timeout, "to finish") { pipeline in
            (pipeline["status"] as? String).map { !["pending", "running"].contains($0) } ?? false
        }
    }

    /// Polls the pipeline until `condition` holds for its JSON (bounded), and returns that JSON.
    func awaitPipeline(
        _ id: String, key: String, timeout: Duration = .seconds(90), _ what: String,
        until condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let pipeline = try json(try await send(.get, "/api/v1/pipelines/\(id)", token: key))
            if condition(pipeline) { return pipeline }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("pipeline \(id) did not come \(what) within \(timeout)")
        throw CancellationError()
    }

    func logs(_ id: String, key: String) async throws -> String {
        let response = try await send(.get, "/api/v1/pipelines/\(id)/logs", token: key)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
        return String(buffer: response.body)
    }
}

/// The steps of a pipeline JSON as (name, status, exit code).
func steps(_ pipeline: [String: Any]) -> [(name: String, status: String, exitCode: Int?)] {
    ((pipeline["steps"] as? [[String: Any]]) ?? []).map {
        ($0["name"] as? String ?? "", $0["status"] as? String ?? "", $0["exit_code"] as? Int)
    }
}

/// Waits (bounded) until a finished pipeline's containers are gone and, with `workspace`, its workspace too.
/// The end is recorded first and the clean-up follows at once, so a test that saw the end awaits it.
func awaitCleanedUp(
    _ pipelineID: String, workspace: URL? = nil, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
) async {
    let deadline = ContinuousClock.now + timeout
    var containers: [String]? = nil
    while ContinuousClock.now < deadline {
        containers = DockerTestPrerequisites.containerIDs(pipelineID: pipelineID)
        let workspaceGone = workspace.map { !FileManager.default.fileExists(atPath: $0.path) } ?? true
        if containers == [] && workspaceGone { return }
        try? await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("pipeline \(pipelineID) still has containers \(containers ?? []) or its workspace after \(timeout)", sourceLocation: sourceLocation)
}
