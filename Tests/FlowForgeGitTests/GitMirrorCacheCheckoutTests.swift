import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

@Suite("Checkout through the mirror cache", .timeLimit(.minutes(2)))
struct GitMirrorCacheCheckoutTests {
    @Test("checks out the head of a branch over HTTP as a detached, clean work tree")
    func branchHeadOverHTTP() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app.git")
        let first = try repository.commit(["README.md": "one\n"], message: "first")
        let head = try repository.commit(["README.md": "two\n", "src/main.sh": "echo hi\n"], message: "second")
        try repository.tag("v1.0.0", at: first)

        let (result, workspace) = try await fixture.checkout(try #require(repository.httpURL))

        #expect(result.commitSHA == head)
        #expect(try fixture.git(["rev-parse", "HEAD"], in: workspace) == head)
        #expect(try fixture.read("README.md", in: workspace) == "two\n")
        #expect(try fixture.read("src/main.sh", in: workspace) == "echo hi\n")
        #expect(try fixture.git(["status", "--porcelain"], in: workspace) == "")
        // Detached: HEAD names no branch.
        #expect(throws: GitCommandLine.Failure.self) { try fixture.git(["symbolic-ref", "-q", "HEAD"], in: workspace) }
        // What build scripts run: history and tags are there.
        #expect(try fixture.git(["log", "--format=%s"], in: workspace) == "second\nfirst")
        #expect(try fixture.git(["describe", "--tags"], in: workspace).hasPrefix("v1.0.0-1-g"))
        #expect(try fixture.git(["remote", "get-url", "origin"], in: workspace) == repository.httpURL)
    }

    @Test("checks out a given older commit rather than the branch head")
    func olderCommit() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app.git")
        let old = try repository.commit(["version.txt": "1\n"])
        try repository.commit(["version.txt": "2\n"])

        let (result, workspace) = try await fixture.checkout(try #require(repository.httpURL), commit: old)

        #expect(result.commitSHA == old)
        #expect(try fixture.git(["rev-parse", "HEAD"], in: workspace) == old)
        #expect(try fixture.read("version.txt", in: workspace) == "1\n")
        #expect(try fixture.git(["status", "--porcelain"], in: workspace) == "")
    }

    @Test("an abbreviated commit SHA resolves to the full one")
    func abbreviatedCommit() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let sha = try repository.commit(["a": "a\n"])

        let (result, _) = try await fixture.checkout(repository.fileURL, commit: String(sha.prefix(10)))

        #expect(result.commitSHA == sha)
    }

    @Test("a second checkout after a new push fetches the new commit into the warm mirror")
    func warmMirrorFetchesNewCommit() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app.git")
        let url = try #require(repository.httpURL)
        let first = try repository.commit(["file.txt": "first\n"])
        #expect(try await fixture.checkout(url).result.commitSHA == first)

        let second = try repository.commit(["file.txt": "second\n"], branch: "main")
        let feature = try repository.commit(["feature.txt": "f\n"], branch: "feature/x")
        let (result, workspace) = try await fixture.checkout(url)
        let (featureResult, featureWorkspace) = try await fixture.checkout(url, branch: "feature/x")

        #expect(result.commitSHA == second)
        #expect(try fixture.read("file.txt", in: workspace) == "second\n")
        #expect(featureResult.commitSHA == feature)
        #expect(try fixture.read("feature.txt", in: featureWorkspace) == "f\n")
        #expect(try fixture.mirrorDirectories().count == 1)
    }

    @Test("checks out from a file:// URL")
    func fileURL() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let sha = try repository.commit(["flowforge.yml": "steps: []\n"])

        let (result, workspace) = try await fixture.checkout(repository.fileURL)

        #expect(repository.fileURL.hasPrefix("file://"))
        #expect(result.commitSHA == sha)
        #expect(try fixture.read("flowforge.yml", in: workspace) == "steps: []\n")
    }

    @Test("a tag name works where a branch is expected")
    func tagAsBranch() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let tagged = try repository.commit(["a": "1\n"])
        try repository.commit(["a": "2\n"])
        try repository.tag("release-1", at: tagged)

        #expect(try await fixture.checkout(repository.fileURL, branch: "release-1").result.commitSHA == tagged)
    }

    @Test("concurrent checkouts of the same repository all succeed")
    func concurrentCheckouts() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app.git")
        let url = try #require(repository.httpURL)
        let head = try repository.commit(["a.txt": "a\n", "b.txt": "b\n"])

        let results = try await withThrowingTaskGroup(of: (CheckoutResult, URL).self) { group in
            for _ in 0..<4 {
                group.addTask { try await fixture.checkout(url) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }

        #expect(results.count == 4)
        for (result, workspace) in results {
            #expect(result.commitSHA == head)
            #expect(try fixture.read("b.txt", in: workspace) == "b\n")
        }
        #expect(try fixture.mirrorDirectories().count == 1)
    }

    @Test("a workspace that already exists is refused and left alone")
    func existingWorkspace() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["a": "a\n"])
        let workspace = fixture.newWorkspace()
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        let marker = workspace.appendingPathComponent("keep")
        try Data("mine".utf8).write(to: marker)

        let error = await #expect(throws: GitError.self) {
            try await fixture.checkout(repository.fileURL, into: workspace)
        }

        #expect(error?.description.contains("already exists") == true)
        #expect(FileManager.default.fileExists(atPath: marker.path))
    }
}
