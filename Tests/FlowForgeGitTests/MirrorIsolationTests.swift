import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

/// Steps run as root in the workspace; the mirror is shared by every account building the same URL. So the
/// workspace shares no inode with the mirror, and a mirror found damaged is rebuilt rather than reused.
@Suite("Mirror isolation", .timeLimit(.minutes(2)))
struct MirrorIsolationTests {
    /// (device, inode) of every regular file under `directory`, not following links.
    static func inodes(under directory: URL) -> Set<[UInt64]> {
        var found = Set<[UInt64]>()
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return found }
        for case let relative as String in walker {
            var info = stat()
            if lstat(directory.appendingPathComponent(relative).path, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                found.insert([UInt64(info.st_dev), UInt64(info.st_ino)])
            }
        }
        return found
    }

    /// Regular files under `directory` (relative path → content).
    static func contents(under directory: URL) throws -> [String: Data] {
        var found: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: directory.path) else { return found }
        for case let relative as String in walker {
            let url = directory.appendingPathComponent(relative)
            var info = stat()
            if lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                found[relative] = try Data(contentsOf: url)
            }
        }
        return found
    }

    /// Overwrites every file under `directory` with garbage of the same size, as a hostile step would.
    static func scribble(over directory: URL) throws {
        for (relative, data) in try contents(under: directory) {
            let url = directory.appendingPathComponent(relative)
            chmod(url.path, 0o644)
            try Data(repeating: 0x5a, count: max(data.count, 1)).write(to: url)
        }
    }

    @Test("the workspace's objects share no inode with the mirror, and writing them leaves the mirror intact")
    func workspaceSharesNoInode() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("shared.git")
        try repository.commit(["README.md": "one\n"])
        let url = try #require(repository.httpURL)

        let (_, workspace) = try await fixture.checkout(url)
        let mirror = try #require(try fixture.mirrorDirectories().first)
        let mirrorInodes = Self.inodes(under: mirror.appendingPathComponent("objects"))
        let workspaceInodes = Self.inodes(under: workspace.appendingPathComponent(".git/objects"))
        #expect(!mirrorInodes.isEmpty && !workspaceInodes.isEmpty)
        #expect(mirrorInodes.isDisjoint(with: workspaceInodes), "workspace objects are hard links into the mirror")

        let before = try Self.contents(under: mirror.appendingPathComponent("objects"))
        try Self.scribble(over: workspace.appendingPathComponent(".git/objects"))
        #expect(try Self.contents(under: mirror.appendingPathComponent("objects")) == before)
        await fixture.release(workspace, url, owner: nil)

        let next = try repository.commit(["README.md": "two\n"])
        let (result, second) = try await fixture.checkout(url)
        #expect(result.commitSHA == next)
        #expect(try fixture.read("README.md", in: second) == "two\n")
        #expect(try fixture.git(["fsck", "--no-progress"], in: second).isEmpty)
    }

    @Test("a mirror whose objects were overwritten is rebuilt, and the checkout succeeds")
    func damagedMirrorIsRebuilt() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("damaged.git")
        let first = try repository.commit(["README.md": "one\n", "src/a.txt": "a\n"])
        let url = try #require(repository.httpURL)
        let (_, workspace) = try await fixture.checkout(url)
        await fixture.release(workspace, url, owner: nil)

        let mirror = try #require(try fixture.mirrorDirectories().first)
        let objects = mirror.appendingPathComponent("objects")
        try Self.scribble(over: objects)
        let damaged = try Self.contents(under: objects)

        // The same commit again, with nothing new to fetch: the damage must still be noticed.
        let (same, again) = try await fixture.checkout(url, commit: first)
        #expect(same.commitSHA == first)
        #expect(try fixture.read("src/a.txt", in: again) == "a\n")
        #expect(try Self.contents(under: objects) != damaged, "the damaged mirror was reused")
        await fixture.release(again, url, owner: nil)

        try Self.scribble(over: objects)
        let next = try repository.commit(["README.md": "two\n"])
        let (result, third) = try await fixture.checkout(url)
        #expect(result.commitSHA == next)
        #expect(try fixture.read("README.md", in: third) == "two\n")
        #expect(try fixture.git(["fsck", "--no-progress"], in: third).isEmpty)
    }
}
