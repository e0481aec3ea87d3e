import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

@Suite("Checkout failures a user can act on", .timeLimit(.minutes(2)))
struct GitMirrorCacheErrorTests {
    @Test("an unknown repository over HTTP is repositoryNotFound and leaves no mirror behind")
    func unknownRepositoryOverHTTP() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let url = "\(server.baseURL)/missing.git"
        let workspace = fixture.newWorkspace()

        let error = await #expect(throws: GitError.self) { try await fixture.checkout(url, into: workspace) }

        #expect(error == .repositoryNotFound(url: url))
        #expect(error?.description.contains("was not found") == true)
        #expect(try fixture.mirrorDirectories().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: workspace.path))
    }

    @Test("an unknown file:// repository is repositoryNotFound")
    func unknownRepositoryOnDisk() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let url = fixture.base.appendingPathComponent("nothing-here.git").absoluteString

        let error = await #expect(throws: GitError.self) { try await fixture.checkout(url) }

        #expect(error == .repositoryNotFound(url: url))
    }

    @Test("a wrong password is authenticationFailed, and no message holds the password")
    func wrongPassword() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer(user: "builder", password: "right-pw-7Q")
        defer { server.stop() }
        let repository = try server.makeRepository("private.git")
        try repository.commit(["a": "a\n"])
        let url = try #require(repository.httpURL)
        let secret = "wrong-pw-3Z"

        let viaCallback = await #expect(throws: GitError.self) {
            try await fixture.checkout(url, credentials: GitCredentials(username: "builder", password: secret))
        }
        let inURL = url.replacingOccurrences(of: "http://", with: "http://builder:\(secret)@")
        let viaURL = await #expect(throws: GitError.self) { try await fixture.checkout(inURL) }
        let none = await #expect(throws: GitError.self) { try await fixture.checkout(url) }

        #expect(viaCallback == .authenticationFailed(url: url))
        #expect(viaURL == .authenticationFailed(url: url))
        #expect(none == .authenticationFailed(url: url))
        for error in [viaCallback, viaURL, none] {
            #expect(error?.description.contains(secret) == false)
            #expect(error?.description.contains("authentication") == true)
        }
    }

    @Test("the right password works, and neither mirror nor workspace stores it")
    func rightPasswordIsNeverStored() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let password = "right-pw-7Q"
        let server = try GitTestServer(user: "builder", password: password)
        defer { server.stop() }
        let repository = try server.makeRepository("private.git")
        let sha = try repository.commit(["a": "a\n"])
        let url = try #require(repository.httpURL)

        let viaCallback = try await fixture.checkout(url, credentials: GitCredentials(username: "builder", password: password))
        let inURL = url.replacingOccurrences(of: "http://", with: "http://builder:\(password)@")
        let viaURL = try await fixture.checkout(inURL)

        #expect(viaCallback.result.commitSHA == sha)
        #expect(viaURL.result.commitSHA == sha)
        let mirrors = try fixture.mirrorDirectories()
        #expect(mirrors.count == 1)  // one mirror per repository, whichever way the credentials came
        let mirrorConfig = try String(contentsOf: mirrors[0].appendingPathComponent("config"), encoding: .utf8)
        #expect(mirrorConfig.contains(url))
        for directory in mirrors + [viaCallback.workspace, viaURL.workspace] {
            let leaks = try filesContaining(password, under: directory)
            #expect(leaks.isEmpty, "the password was written to \(leaks)")
        }
    }

    @Test("nothing listening is unreachable")
    func nothingListening() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        let url = "\(server.baseURL)/app.git"
        server.stop()  // its port is now closed

        let error = await #expect(throws: GitError.self) { try await fixture.checkout(url) }

        guard case .unreachable(let reported, let detail)? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
        #expect(reported == url)
        #expect(!detail.isEmpty)
        #expect(error?.description.contains("could not reach") == true)
    }

    @Test("an unknown branch is refNotFound")
    func unknownBranch() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("app.git")
        try repository.commit(["a": "a\n"])
        let url = try #require(repository.httpURL)

        let error = await #expect(throws: GitError.self) { try await fixture.checkout(url, branch: "no-such-branch") }

        #expect(error == .refNotFound(url: url, ref: "no-such-branch"))
    }

    @Test("an unknown commit is commitNotFound", arguments: [
        "0123456789abcdef0123456789abcdef01234567", "HEAD~1", "main",
    ])
    func unknownCommit(commit: String) async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["a": "a\n"])
        try repository.commit(["a": "b\n"])

        let error = await #expect(throws: GitError.self) {
            try await fixture.checkout(repository.fileURL, commit: commit)
        }

        #expect(error == .commitNotFound(url: repository.fileURL, sha: commit))
    }

    /// Paths of the files under `directory` whose bytes contain `text`.
    private func filesContaining(_ text: String, under directory: URL) throws -> [String] {
        let needle = Data(text.utf8)
        let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var hits: [String] = []
        while let file = files?.nextObject() as? URL {
            guard try file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            if try Data(contentsOf: file).range(of: needle) != nil {
                hits.append(file.path)
            }
        }
        return hits
    }
}
