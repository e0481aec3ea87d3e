import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// A repository's pipeline file is read as a regular file of the workspace only: links are refused (their
/// target never read), and size is checked before reading. These pipelines end before any container runs.
@Suite("pipeline file reading")
struct PipelineConfigFileTests {
    /// A host file the server can read, holding a pipeline that would run if the link were followed.
    static func hostFile() throws -> (path: URL, marker: String) {
        let marker = "host-secret-\(UUID().uuidString)"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-host-\(UUID().uuidString).yml")
        try Data("# \(marker)\nsteps:\n  - name: leak\n    commands: [echo \(marker)]\n".utf8).write(to: file)
        return (file, marker)
    }

    func runPipeline(committing files: [String: String] = [:], symlinks: [String: String] = [:]) async throws -> [String: Any] {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("config.git")
        try repository.commit(files, symlinks: symlinks)
        let pipeline = PipelineBox()
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            pipeline.value = try await client.awaitPipeline(id, key: key)
        }
        return pipeline.value
    }

    @Test func symlinkToAHostFileIsRefusedAndNeverRead() async throws {
        let host = try Self.hostFile()
        defer { try? FileManager.default.removeItem(at: host.path) }
        let pipeline = try await runPipeline(committing: ["README": "x"], symlinks: ["flowforge.yml": host.path.path])
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        let error = try #require(pipeline["error"] as? String)
        #expect(error.contains("flowforge.yml is a symbolic link"), "\(error)")
        #expect(!"\(pipeline)".contains(host.marker))
        #expect(steps(pipeline).isEmpty)
    }

    @Test func symlinkToDevZeroIsRefused() async throws {
        let pipeline = try await runPipeline(committing: ["README": "x"], symlinks: ["flowforge.yml": "/dev/zero"])
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        #expect((pipeline["error"] as? String)?.contains("symbolic link") == true, "\(pipeline)")
    }

    @Test func linkedDotFileIsRefusedToo() async throws {
        let host = try Self.hostFile()
        defer { try? FileManager.default.removeItem(at: host.path) }
        let pipeline = try await runPipeline(committing: ["README": "x"], symlinks: [".flowforge.yml": host.path.path])
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        #expect((pipeline["error"] as? String)?.contains(".flowforge.yml is a symbolic link") == true, "\(pipeline)")
        #expect(!"\(pipeline)".contains(host.marker))
    }

    @Test func fileOverTheLimitIsRefusedBeforeParsing() async throws {
        let big = String(repeating: "# padding\n", count: ConfigFileReader.maxBytes / 10 + 1)
        let pipeline = try await runPipeline(committing: ["flowforge.yml": big])
        #expect(pipeline["status"] as? String == "error", "\(pipeline)")
        #expect((pipeline["error"] as? String)?.contains("more than the 1 MiB") == true, "\(pipeline)")
    }

    /// A 2 GiB sparse file costs no disk; reading it would cost 2 GiB of memory. Refused from its size alone.
    @Test func sparseTwoGiBFileIsRefusedQuickly() throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-ws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        let file = workspace.appendingPathComponent("flowforge.yml")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 2 * 1024 * 1024 * 1024)
        try handle.close()
        let started = ContinuousClock.now
        let outcome = ConfigFileReader.readBlocking("flowforge.yml", in: workspace)
        #expect(ContinuousClock.now - started < .seconds(1))
        guard case .refused(let reason) = outcome else {
            Issue.record("expected a refusal, got \(outcome)")
            return
        }
        #expect(reason.contains("2147483648 bytes"), "\(reason)")
    }

    @Test func linkInTheWorkspacePathIsNotFollowed() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-ws-\(UUID().uuidString)")
        let real = base.appendingPathComponent("real")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: base) }
        try Data("steps: []\n".utf8).write(to: real.appendingPathComponent("flowforge.yml"))
        let linked = base.appendingPathComponent("linked")
        try FileManager.default.createSymbolicLink(at: linked, withDestinationURL: real)
        guard case .refused = ConfigFileReader.readBlocking("flowforge.yml", in: linked) else {
            Issue.record("a workspace reached through a link was read")
            return
        }
        #expect(ConfigFileReader.readBlocking("flowforge.yml", in: real) == .text("steps: []\n"))
    }
}
