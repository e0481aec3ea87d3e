import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// `flowforge pipeline start --upload [DIR] --follow`: the working copy as it is on disk, run by a live server.
@Suite("CLI: uploading a working copy", .needsDocker, .dockerPrerequisites)
struct PipelineCLIUploadTests {
    static func write(_ files: [String: String], in root: URL) throws {
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// The step proves what was uploaded: the edited and the untracked file are there, the ignored ones not.
    static let pipelineFile = """
        steps:
          - name: check
            commands:
              - cat tracked.txt untracked.txt
              - test ! -e debug.log && test ! -e build/out.bin && test ! -e .git
              - echo upload-checked

        """

    @Test func startUploadFollowRunsTheWorkingCopyHonouringGitignore() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cli-upload-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "work.git", root: root)
        defer { repository.removeWorkTree() }
        try repository.commit(["flowforge.yml": Self.pipelineFile, "tracked.txt": "committed\n", ".gitignore": "*.log\nbuild/\n"])
        let work = repository.workDirectory
        // Uncommitted: an edit, an untracked file, and what .gitignore leaves out.
        try Self.write([
            "tracked.txt": "edited-not-committed\n", "untracked.txt": "untracked-but-not-ignored\n",
            "debug.log": "ignored\n", "build/out.bin": "ignored\n",
        ], in: work)
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let run = try await PipelineCLITests.cli(["start", "--upload", work.path, "--follow"], port: port, key: key)
            #expect(run.status == 0, "\(run.output)")
            #expect(run.output.contains("edited-not-committed\n") && run.output.contains("untracked-but-not-ignored\n"), "\(run.output)")
            #expect(run.output.contains("upload-checked\n") && run.output.contains("<== check: success"), "\(run.output)")
            #expect(run.output.contains(".gitignore honoured"), "\(run.output)")

            // Outside git, every file but .git goes up; a failing step is the exit status.
            let plain = root.appendingPathComponent("plain")
            try Self.write(["flowforge.yml": "steps:\n  - name: check\n    commands: [\"cat debug.log\", \"exit 4\"]\n", "debug.log": "kept-outside-git\n"], in: plain)
            let failing = try await PipelineCLITests.cli(["start", "--upload", plain.path, "--follow"], port: port, key: key)
            #expect(failing.status == 1, "\(failing.output)")
            #expect(failing.output.contains("kept-outside-git\n") && failing.output.contains("<== check: failure, exit 4"), "\(failing.output)")

            let both = try await PipelineCLITests.cli(["start", "--upload", "--repo-url", repository.fileURL], port: port, key: key)
            #expect(both.status != 0 && both.output.contains("not both"), "\(both.output)")
        }
    }
}
