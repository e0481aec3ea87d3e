import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Reusing kept work trees", .timeLimit(.minutes(2)))
struct WorkTreeReuseTests {
    @Test("the next checkout for the same account reuses the tree and rewrites only what changed")
    func reuseWritesOnlyChanges() async throws {
        let fixture = try GitFixture(keptWorkTrees: 4)
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["same.txt": "same\n", "changed.txt": "old\n", "gone.txt": "bye\n"])
        let url = repository.fileURL

        let (first, firstWorkspace) = try await fixture.checkout(url, owner: "account-1")
        #expect(!first.reusedTree)
        let untouchedInode = try inode("same.txt", in: firstWorkspace)
        await fixture.release(firstWorkspace, url, owner: "account-1")
        #expect(!FileManager.default.fileExists(atPath: firstWorkspace.path))

        let next = try repository.commit(["changed.txt": "new content\n", "added/file.txt": "hi\n"], removing: ["gone.txt"])
        let (second, workspace) = try await fixture.checkout(url, owner: "account-1")

        #expect(second.reusedTree)
        #expect(second.commitSHA == next)
        #expect(try inode("same.txt", in: workspace) == untouchedInode)
        #expect(try fixture.read("changed.txt", in: workspace) == "new content\n")
        #expect(try fixture.read("added/file.txt", in: workspace) == "hi\n")
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("gone.txt").path))
        #expect(try fixture.git(["rev-parse", "HEAD"], in: workspace) == next)
        #expect(try fixture.git(["status", "--porcelain", "--ignored"], in: workspace) == "")
        #expect(try fixture.git(["remote", "get-url", "origin"], in: workspace) == url)
    }

    @Test("whatever the steps did to a kept tree, the next checkout holds exactly the commit")
    func tamperedTreeIsRestored() async throws {
        let fixture = try GitFixture(keptWorkTrees: 4)
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let sha = try repository.commit([
            "app/config.txt": "safe\n", "app/run.sh": "echo run\n", "lib/x.txt": "x\n", ".gitignore": "*.log\n",
        ])
        let url = repository.fileURL
        let outside = fixture.base.appendingPathComponent("outside", isDirectory: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)

        let (_, workspace) = try await fixture.checkout(url, owner: "account-1")
        let file = { (path: String) in workspace.appendingPathComponent(path) }
        // Same size, same modification time, different content: libgit2 alone would call it unchanged.
        let config = file("app/config.txt").path
        var original = stat()
        #expect(lstat(config, &original) == 0)
        try Data("evil\n".utf8).write(to: file("app/config.txt"))
        let times = [original.st_atim, original.st_mtim]
        #expect(utimensat(AT_FDCWD, config, times, 0) == 0)
        // Untracked and ignored output, a set-id bit, a FIFO.
        try FileManager.default.createDirectory(at: file("build"), withIntermediateDirectories: true)
        try Data("obj".utf8).write(to: file("build/out.o"))
        try Data("log".utf8).write(to: file("debug.log"))
        #expect(chmod(file("app/run.sh").path, 0o4755) == 0)
        #expect(mkfifo(file("pipe").path, 0o644) == 0)
        // A tracked directory swapped for a link leading out of the workspace.
        try FileManager.default.removeItem(at: file("lib"))
        try FileManager.default.createSymbolicLink(at: file("lib"), withDestinationURL: outside)
        // A hook and a config change for the next pipeline's `git` to pick up.
        try Data("#!/bin/sh\necho pwned\n".utf8).write(to: file(".git/hooks/post-checkout"))
        _ = try fixture.git(["config", "core.hooksPath", "/tmp"], in: workspace)
        await fixture.release(workspace, url, owner: "account-1")

        let (result, again) = try await fixture.checkout(url, owner: "account-1")

        #expect(result.reusedTree)
        #expect(try fixture.read("app/config.txt", in: again) == "safe\n")
        #expect(try fixture.read("lib/x.txt", in: again) == "x\n")
        let lib = try FileManager.default.attributesOfItem(atPath: again.appendingPathComponent("lib").path)
        #expect(lib[.type] as? FileAttributeType == .typeDirectory)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        for leftover in ["build", "debug.log", "pipe", ".git/hooks/post-checkout"] {
            #expect(!FileManager.default.fileExists(atPath: again.appendingPathComponent(leftover).path), "\(leftover)")
        }
        let mode = try #require(
            try FileManager.default.attributesOfItem(atPath: again.appendingPathComponent("app/run.sh").path)[.posixPermissions] as? Int)
        #expect(mode & 0o7000 == 0)
        #expect(throws: GitCommandLine.Failure.self) { try fixture.git(["config", "core.hooksPath"], in: again) }
        #expect(try fixture.git(["rev-parse", "HEAD"], in: again) == sha)
        #expect(try fixture.git(["status", "--porcelain", "--ignored"], in: again) == "")
    }

    @Test("a tree is never reused for another account, and stays kept for its own")
    func otherAccountGetsAFreshTree() async throws {
        let fixture = try GitFixture(keptWorkTrees: 4)
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["a.txt": "a\n"])
        let url = repository.fileURL

        let (_, workspace) = try await fixture.checkout(url, owner: "account-1")
        await fixture.release(workspace, url, owner: "account-1")
        let (other, _) = try await fixture.checkout(url, owner: "account-2")
        let (anonymous, _) = try await fixture.checkout(url)
        let (own, _) = try await fixture.checkout(url, owner: "account-1")

        #expect(!other.reusedTree)
        #expect(!anonymous.reusedTree)
        #expect(own.reusedTree)
    }

    @Test("with reuse off a released workspace is removed with everything beside it")
    func reuseOffRemoves() async throws {
        let fixture = try GitFixture(keptWorkTrees: 0)
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["a.txt": "a\n"])

        let (_, workspace) = try await fixture.checkout(repository.fileURL, owner: "account-1")
        await fixture.release(workspace, repository.fileURL, owner: "account-1")
        let (again, _) = try await fixture.checkout(repository.fileURL, owner: "account-1")

        #expect(!again.reusedTree)
        let left = try FileManager.default.contentsOfDirectory(atPath: workspace.deletingLastPathComponent().path)
        #expect(!left.contains { $0.hasPrefix(workspace.lastPathComponent) })
        #expect(!FileManager.default.fileExists(atPath: fixture.workTreesRoot.path))
    }

    @Test("beyond the capacity the least recently kept tree is removed")
    func capacityEvictsOldest() async throws {
        let fixture = try GitFixture(keptWorkTrees: 1)
        defer { fixture.remove() }
        let first = try fixture.makeLocalRepository("first.git")
        let second = try fixture.makeLocalRepository("second.git")
        try first.commit(["a.txt": "a\n"])
        try second.commit(["b.txt": "b\n"])

        let (_, firstWorkspace) = try await fixture.checkout(first.fileURL, owner: "account-1")
        let (_, secondWorkspace) = try await fixture.checkout(second.fileURL, owner: "account-1")
        await fixture.release(firstWorkspace, first.fileURL, owner: "account-1")
        await fixture.release(secondWorkspace, second.fileURL, owner: "account-1")

        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.workTreesRoot.path).count == 1)
        #expect(try await fixture.checkout(second.fileURL, owner: "account-1").result.reusedTree)
        #expect(try await !fixture.checkout(first.fileURL, owner: "account-1").result.reusedTree)
    }

    @Test("concurrent checkouts share out one kept tree: one reuses it, the other writes its own")
    func concurrentCheckouts() async throws {
        let fixture = try GitFixture(keptWorkTrees: 4)
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let sha = try repository.commit(["a.txt": "a\n", "dir/b.txt": "b\n"])
        let url = repository.fileURL
        let (_, workspace) = try await fixture.checkout(url, owner: "account-1")
        await fixture.release(workspace, url, owner: "account-1")

        async let one = fixture.checkout(url, owner: "account-1")
        async let two = fixture.checkout(url, owner: "account-1")
        let results = try await [one, two]

        #expect(results.filter(\.result.reusedTree).count == 1)
        for (result, workspace) in results {
            #expect(result.commitSHA == sha)
            #expect(try fixture.read("dir/b.txt", in: workspace) == "b\n")
            #expect(try fixture.git(["status", "--porcelain", "--ignored"], in: workspace) == "")
        }
    }

    private func inode(_ path: String, in workspace: URL) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.appendingPathComponent(path).path)
        return try #require(attributes[.systemFileNumber] as? UInt64)
    }
}
