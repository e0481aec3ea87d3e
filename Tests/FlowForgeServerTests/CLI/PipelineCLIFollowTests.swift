import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// `flowforge pipeline start --follow`: the run read from the event stream, and the result as the exit code.
@Suite("CLI: following a pipeline", .needsDocker, .dockerPrerequisites)
struct PipelineCLIFollowTests {
    @Test func startFollowShowsTheRunAndExitsWithItsResult() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "cli.git", root: root)
        try repository.commit(["README": "hi\n"])
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)

            let passing = try await PipelineCLITests.cli(
                ["start", "--repo-url", repository.fileURL, "--command", "echo from-the-step-$((6*7))", "--follow"], port: port, key: key)
            #expect(passing.status == 0, "\(passing.output)")
            #expect(passing.output.contains("==> run\n"), "a header when the step starts:\n\(passing.output)")
            #expect(passing.output.contains("from-the-step-42\n"), "\(passing.output)")
            #expect(passing.output.contains("<== run: success, exit 0"), "\(passing.output)")
            #expect(passing.output.range(of: #"run +success +\d+\.\d\d s"#, options: .regularExpression) != nil, "a summary table:\n\(passing.output)")
            #expect(passing.output.contains(": success\n"), "\(passing.output)")

            let failing = try await PipelineCLITests.cli(
                ["start", "--repo-url", repository.fileURL, "--command", "echo about-to-fail; exit 3", "--follow"], port: port, key: key)
            #expect(failing.status == 1, "\(failing.output)")
            #expect(failing.output.contains("about-to-fail\n") && failing.output.contains("<== run: failure, exit 3"), "\(failing.output)")
        }
    }

}
