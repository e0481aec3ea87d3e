import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Logging

/// A fresh cache root and workspace folder per test, removed by `remove()`.
struct GitFixture {
    let base: URL
    let cache: GitMirrorCache
    let logger = Logger(label: "flowforge.git.tests")

    var mirrorsRoot: URL { base.appendingPathComponent("mirrors", isDirectory: true) }

    var workTreesRoot: URL { base.appendingPathComponent("worktrees", isDirectory: true) }

    /// `keptWorkTrees` > 0 turns work tree reuse on, as the server does.
    init(keptWorkTrees: Int = 0, checkoutTimeout: Duration = .seconds(600)) throws {
        base = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowforge-git-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        cache = GitMirrorCache(
            root: base.appendingPathComponent("mirrors", isDirectory: true), logger: logger,
            workTrees: WorkTreeCache(
                root: base.appendingPathComponent("worktrees", isDirectory: true), capacity: keptWorkTrees),
            // The test servers are on 127.0.0.1.
            checkoutTimeout: checkoutTimeout, allowLocalAddresses: true)
    }

    /// A path under the fixture that does not exist yet.
    func newWorkspace() -> URL {
        base.appendingPathComponent("workspaces/\(UUID().uuidString)", isDirectory: true)
    }

    func checkout(
        _ url: String, branch: String = "main", commit: String? = nil,
        credentials: GitCredentials? = nil, into workspace: URL? = nil, owner: String? = nil
    ) async throws(GitError) -> (result: CheckoutResult, workspace: URL) {
        let workspace = workspace ?? newWorkspace()
        let result = try await cache.checkout(
            repoURL: url, branch: branch, commit: commit, credentials: credentials,
            into: workspace, owner: owner, logger: logger)
        return (result, workspace)
    }

    /// What the server does when a pipeline ends.
    func release(_ workspace: URL, _ url: String, owner: String?) async {
        await cache.release(workspace: workspace, repoURL: url, owner: owner, logger: logger)
    }

    /// Runs the real `git` in a workspace, as a build script would.
    func git(_ arguments: [String], in workspace: URL) throws -> String {
        try GitCommandLine.run(arguments, in: workspace)
    }

    func read(_ path: String, in workspace: URL) throws -> String {
        try String(contentsOf: workspace.appendingPathComponent(path), encoding: .utf8)
    }

    /// A bare repository outside any server, for `file://` checkouts.
    func makeLocalRepository(_ name: String = "local.git") throws -> GitTestRepository {
        try GitTestRepository(name: name, root: base.appendingPathComponent("repositories", isDirectory: true))
    }

    /// Every mirror directory under the cache root.
    func mirrorDirectories() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: mirrorsRoot.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: mirrorsRoot, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "git" }
    }

    func remove() {
        try? FileManager.default.removeItem(at: base)
    }
}
