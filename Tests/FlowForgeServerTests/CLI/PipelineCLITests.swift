import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// `flowforge pipeline …` as a user runs it: the built binary as a process, against a live server.
@Suite("CLI: pipeline commands", .needsDocker, .dockerPrerequisites)
struct PipelineCLITests {
    /// Runs the CLI with `FLOWFORGE_URL` and `FLOWFORGE_API_KEY` set; its exit status and output.
    static func cli(_ arguments: [String], port: Int, key: String?) async throws -> (status: Int32?, output: String) {
        var environment = ["FLOWFORGE_URL": "http://127.0.0.1:\(port)", "NO_COLOR": "1"]
        if let key { environment["FLOWFORGE_API_KEY"] = key }
        let process = try ServerProcess(["pipeline"] + arguments, environment: environment)
        let status = await process.waitForExit(timeout: .seconds(120))
        return (status, process.output)
    }

    @Test func startShowListLogsAndCancelWithoutFollowing() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "cli.git", root: root)
        try repository.commit(["README": "hi\n"])
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let started = try await Self.cli(["start", "--repo-url", repository.fileURL, "--command", "echo listed-$((1+1))"], port: port, key: key)
            #expect(started.status == 0, "\(started.output)")
            let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id.count == 36, "start prints the id alone, for scripts: \(started.output)")

            #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "success")
            let shown = try await Self.cli(["show", id], port: port, key: key)
            #expect(shown.status == 0 && shown.output.contains("pipeline \(id): success"), "\(shown.output)")
            #expect(shown.output.range(of: #"run +success"#, options: .regularExpression) != nil, "\(shown.output)")

            let listed = try await Self.cli(["list", "--status", "success"], port: port, key: key)
            #expect(listed.status == 0 && listed.output.contains(id), "\(listed.output)")

            let logs = try await Self.cli(["logs", id], port: port, key: key)
            #expect(logs.status == 0 && logs.output.contains("listed-2\n"), "\(logs.output)")

            let cancel = try await Self.cli(["cancel", id], port: port, key: key)
            #expect(cancel.status == 1 && cancel.output.contains("409"), "a finished pipeline cannot be canceled, and the server says why:\n\(cancel.output)")
        }
    }

    @Test func aMissingOrWrongKeyIsOneClearLine() async throws {
        try await withLiveTestApp { _, port, _ in
            let missing = try await Self.cli(["list"], port: port, key: nil)
            #expect(missing.status == 1)
            #expect(missing.output.contains("set FLOWFORGE_API_KEY"), "\(missing.output)")
            let wrong = try await Self.cli(["show", "00000000-0000-0000-0000-000000000000"], port: port, key: "ff_not_a_key")
            #expect(wrong.status == 1 && wrong.output.contains("401"), "\(wrong.output)")
            #expect(!wrong.output.contains("Fatal error") && wrong.output.split(separator: "\n").count == 1, "\(wrong.output)")
        }
    }
}
