import Foundation
import Logging
import NIOPosix

/// A bare mirror per repository under `root`; safe to use from many tasks at once (one fetch per mirror
/// at a time) and from several processes sharing `root` (a `flock` per mirror).
///
/// Every checkout fetches first, even when the wanted commit is already in the mirror: the fetch is what
/// proves that these credentials may read this repository, and mirrors are shared by everyone who builds
/// the same URL.
public final class GitMirrorCache: Sendable {
    public let root: URL
    let logger: Logger
    let fetchLocks = KeyedAsyncLock()
    let threadPool: NIOThreadPool
    let workTrees: WorkTreeCache?

    /// `threadPool` runs the blocking libgit2 calls. The shared singleton has one thread per core and
    /// also serves other blocking work (file I/O in Hummingbird); a server running many pipelines
    /// may pass a dedicated, started pool so that long fetches do not queue that work behind them.
    ///
    /// With `workTrees`, checkouts that name an `owner` reuse that owner's kept tree of the repository, and
    /// `release` keeps workspaces there; without, every checkout writes a fresh tree.
    public init(root: URL, logger: Logger, threadPool: NIOThreadPool = .singleton, workTrees: WorkTreeCache? = nil) {
        self.root = root
        self.logger = logger
        self.threadPool = threadPool
        self.workTrees = workTrees
        LibGit2.ensureInitialized()
        logger.debug("git mirror cache ready", metadata: ["git_cache_root": "\(root.path)"])
    }

    /// Fetches what is new into the repository's mirror, then checks out exactly `commit` (or the head of
    /// `branch` when `commit` is nil) into `workspace` (created; must not exist yet). Returns the commit
    /// checked out. The workspace is a normal git work tree with a detached HEAD, its `origin` remote set
    /// to `repoURL` without credentials. On failure nothing is left at `workspace`.
    ///
    /// `credentials` win over a `user:password@` in `repoURL`; either reaches libgit2 only through its
    /// credential callback.
    ///
    /// `owner` (an account id) scopes work tree reuse: a tree is only ever reused by checkouts of the same
    /// repository for the same owner, never across accounts. Nil writes a fresh tree.
    public func checkout(
        repoURL: String, branch: String, commit: String?, credentials: GitCredentials?,
        into workspace: URL, owner: String? = nil, logger: Logger
    ) async throws(GitError) -> CheckoutResult {
        let remote = GitRemoteURL(repoURL)
        let mirror = mirrorLocation(for: remote)
        var logger = logger
        logger[metadataKey: "git_repo"] = "\(remote.redacted)"
        logger[metadataKey: "git_mirror"] = "\(mirror.key)"
        let request = MirrorFetch(
            remote: remote, credentials: credentials ?? remote.embeddedCredentials,
            branch: branch, commit: commit, mirror: mirror, logger: logger)

        let clock = ContinuousClock()
        let fetchStart = clock.now
        await fetchLocks.lock(mirror.key)
        let fetched = await runBlocking { request.fetchAndResolve() }
        await fetchLocks.unlock(mirror.key)
        let sha = try fetched.get()
        let fetchTime = clock.now - fetchStart

        let checkoutStart = clock.now
        let workTrees = self.workTrees
        let reuseKey = owner.map { Self.workTreeKey(owner: $0, remote: remote) }
        let reused = try await runBlocking { () -> Result<Bool, GitError> in
            func attempt(_ keptIndex: URL?) -> Result<Void, GitError> {
                WorkspaceCheckout(
                    mirrorPath: mirror.directory.path, remote: remote, commitSHA: sha, workspace: workspace,
                    keptIndex: keptIndex
                ).run()
            }
            if let claimed = reuseKey.flatMap({ workTrees?.claim(key: $0, into: workspace) }) {
                // A kept tree is an optimisation: if it cannot be brought to the commit, start afresh.
                if case .success = attempt(claimed.index) { return .success(true) }
                Self.removeWorkspace(workspace)
            }
            return attempt(nil).map { false }
        }.get()
        logger.info("checked out commit", metadata: [
            "commit": "\(sha)", "workspace": "\(workspace.path)", "reused_tree": "\(reused)",
            "fetch_ms": "\(fetchTime.milliseconds)", "checkout_ms": "\((clock.now - checkoutStart).milliseconds)",
        ])
        return CheckoutResult(commitSHA: sha, reusedTree: reused)
    }

    /// Ends a workspace made by `checkout`: kept as `owner`'s tree of `repoURL` for the next checkout when
    /// reuse is on and the slot is free, removed otherwise. Call it once the containers using it are gone.
    /// Never throws: a workspace that cannot be kept or removed is logged.
    public func release(workspace: URL, repoURL: String, owner: String?, logger: Logger) async {
        let workTrees = self.workTrees
        let key = owner.map { Self.workTreeKey(owner: $0, remote: GitRemoteURL(repoURL)) }
        let scratch = workspace.deletingLastPathComponent()
        _ = await runBlocking { () -> Result<Void, GitError> in
            if let key, let workTrees, workTrees.keep(workspace, key: key) {
                workTrees.evictBeyondCapacity(scratch: scratch)
            } else {
                Self.removeWorkspace(workspace)
            }
            return .success(())
        }
        if FileManager.default.fileExists(atPath: workspace.path) {
            logger.warning("could not remove the workspace", metadata: ["workspace": "\(workspace.path)"])
        }
    }

    /// Removes a workspace and what its checkout left beside it.
    public static func removeWorkspace(_ workspace: URL) {
        for path in [workspace, WorkTreeCache.indexSnapshot(of: workspace), WorkTreeCache.partsDirectory(of: workspace)] {
            try? FileManager.default.removeItem(at: path)
        }
    }

    static func workTreeKey(owner: String, remote: GitRemoteURL) -> String {
        hashHex("\(owner)\n\(remote.redacted)")
    }

    /// Strips userinfo (`user:password@`) from a URL, for logs and errors. URLs without a scheme
    /// (scp-like `git@host:repo`, paths) are returned unchanged: they carry no secrets.
    public static func redact(_ url: String) -> String {
        GitRemoteURL(url).redacted
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
