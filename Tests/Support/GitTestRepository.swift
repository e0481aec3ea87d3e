import Foundation

/// A bare repository for tests, plus a private work tree beside it from which commits are pushed with
/// the real `git` tool, as a developer would.
public struct GitTestRepository: Sendable {
    /// The bare repository on disk (what a server serves).
    public let bareDirectory: URL
    /// `file://` URL of the bare repository.
    public var fileURL: String { bareDirectory.absoluteString }
    /// The smart-HTTP URL, when the repository lives under a `GitTestServer`'s root.
    public let httpURL: String?
    /// The work tree commits are made in (outside `root`; `removeWorkTree` removes it).
    public let workDirectory: URL

    /// Creates an empty bare repository `name` (e.g. `"app.git"`) under `root`, whose HEAD names
    /// `defaultBranch`. The work tree used for commits sits outside `root`, so it is never served.
    public init(name: String, root: URL, httpBase: String? = nil, defaultBranch: String = "main") throws {
        bareDirectory = root.appendingPathComponent(name, isDirectory: true)
        httpURL = httpBase.map { "\($0)/\(name)" }
        workDirectory = root.deletingLastPathComponent()
            .appendingPathComponent("\(root.lastPathComponent)-work-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try GitCommandLine.run(["init", "--quiet", "--bare", "--initial-branch=\(defaultBranch)", bareDirectory.path])
        try GitCommandLine.run(["init", "--quiet", "--initial-branch=\(defaultBranch)", workDirectory.path])
        try GitCommandLine.run(["remote", "add", "origin", bareDirectory.path], in: workDirectory)
    }

    /// Commits `files` (path → content; parent folders are created) on `branch`, on top of that branch's
    /// current head if it has one, pushes it, and returns the new commit's SHA.
    /// `removing` lists paths to delete in the same commit; `symlinks` (path → target) commits symbolic links.
    @discardableResult
    public func commit(
        _ files: [String: String], symlinks: [String: String] = [:], removing: [String] = [], message: String = "test commit",
        branch: String = "main"
    ) throws -> String {
        let exists = (try? GitCommandLine.run(
            ["rev-parse", "--verify", "--quiet", "refs/heads/\(branch)"], in: bareDirectory)) != nil
        if exists {
            try GitCommandLine.run(["fetch", "--quiet", "origin", branch], in: workDirectory)
            try GitCommandLine.run(["checkout", "--quiet", "--force", "-B", branch, "FETCH_HEAD"], in: workDirectory)
        } else {
            // A new branch starts empty (an orphan), which is also how the first commit is made.
            try GitCommandLine.run(["checkout", "--quiet", "--orphan", branch], in: workDirectory)
            try GitCommandLine.run(["rm", "-r", "--quiet", "--cached", "--ignore-unmatch", "."], in: workDirectory)
        }
        for (path, content) in files {
            let file = workDirectory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: file)
            try GitCommandLine.run(["add", "--", path], in: workDirectory)
        }
        for (path, target) in symlinks {
            let link = workDirectory.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: link)
            try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target)
            try GitCommandLine.run(["add", "--", path], in: workDirectory)
        }
        for path in removing {
            try GitCommandLine.run(["rm", "--quiet", "--", path], in: workDirectory)
        }
        try GitCommandLine.run(["commit", "--quiet", "--allow-empty", "-m", message], in: workDirectory)
        try GitCommandLine.run(["push", "--quiet", "origin", "HEAD:refs/heads/\(branch)"], in: workDirectory)
        return try GitCommandLine.run(["rev-parse", "HEAD"], in: workDirectory)
    }

    /// Creates an annotated tag `name` at `commit` in the bare repository.
    public func tag(_ name: String, at commit: String) throws {
        try GitCommandLine.run(["tag", "-a", "-m", name, name, commit], in: bareDirectory)
    }

    /// Removes the work tree used for commits (the bare repository goes with its root).
    public func removeWorkTree() {
        try? FileManager.default.removeItem(at: workDirectory)
    }
}
