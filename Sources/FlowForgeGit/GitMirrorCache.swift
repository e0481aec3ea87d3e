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
    /// Longest a checkout's fetch may take; then it fails and frees its slot and the mirror's lock.
    let checkoutTimeout: Duration
    /// Whether fetches may connect to loopback, private and other special-purpose addresses.
    let allowLocalAddresses: Bool

    /// `threadPool` runs the blocking libgit2 calls. The shared singleton has one thread per core and
    /// also serves other blocking work (file I/O in Hummingbird); a server running many pipelines
    /// may pass a dedicated, started pool so that long fetches do not queue that work behind them.
    ///
    /// With `workTrees`, checkouts that name an `owner` reuse that owner's kept tree of the repository, and
    /// `release` keeps workspaces there; without, every checkout writes a fresh tree.
    ///
    /// Every fetch's connections are checked again when they are made (`allowLocalAddresses` false refuses
    /// hosts that resolve to loopback, private, link-local or other special-purpose addresses) and end at
    /// `checkoutTimeout` or when the checking-out task is cancelled.
    public init(
        root: URL, logger: Logger, threadPool: NIOThreadPool = .singleton, workTrees: WorkTreeCache? = nil,
        checkoutTimeout: Duration = .seconds(600), allowLocalAddresses: Bool = false
    ) {
        self.root = root
        self.checkoutTimeout = checkoutTimeout
        self.allowLocalAddresses = allowLocalAddresses
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
    ///
    /// `extraRef` (`refs/…`, e.g. a pull request's `refs/pull/7/head`) is fetched as well, for a commit no
    /// branch or tag holds.
    public func checkout(
        repoURL: String, branch: String, commit: String?, credentials: GitCredentials?,
        into workspace: URL, owner: String? = nil, extraRef: String? = nil, logger: Logger
    ) async throws(GitError) -> CheckoutResult {
        if let extraRef, !Self.isFetchableRef(extraRef) {
            throw .failed("\(extraRef) is not a ref FlowForge fetches; use refs/<name> of letters, digits, '/', '-', '_' or '.'")
        }
        let remote = GitRemoteURL(repoURL)
        let mirror = mirrorLocation(for: remote)
        var logger = logger
        logger[metadataKey: "git_repo"] = "\(remote.redacted)"
        logger[metadataKey: "git_mirror"] = "\(mirror.key)"
        let guardian = FetchGuard(timeout: checkoutTimeout, allowLocalAddresses: allowLocalAddresses)
        let request = MirrorFetch(
            remote: remote, credentials: credentials ?? remote.embeddedCredentials,
            branch: branch, commit: commit, mirror: mirror, guardian: guardian, logger: logger, extraRef: extraRef)

        let clock = ContinuousClock()
        let writeLogger = logger
        // A damaged mirror (found while fetching, resolving or writing the workspace) is rebuilt once from
        // the remote rather than reused: it is shared by every account building this URL.
        var rebuilding = false
        while true {
            let fetchStart = clock.now
            await fetchLocks.lock(mirror.key)
            let rebuild = rebuilding
            // Cancelling the task makes the fetch's next network wait fail, so the lock is released soon.
            let fetched = await withTaskCancellationHandler {
                await runBlocking { request.fetchAndResolve(rebuilding: rebuild) }
            } onCancel: {
                guardian.cancel()
            }
            await fetchLocks.unlock(mirror.key)
            Self.markUsed(mirror)
            let sha: String
            switch fetched {
            case .success(let resolved): sha = resolved
            case .failure(let failure) where failure.mirrorSuspect && !rebuilding:
                logger.warning("the mirror looks damaged; rebuilding it", metadata: ["error": "\(failure.error)"])
                rebuilding = true
                continue
            case .failure(let failure): throw failure.error
            }
            let fetchTime = clock.now - fetchStart

            let checkoutStart = clock.now
            let plan = WorkspacePlan(
                mirror: mirror, remote: remote, commitSHA: sha, workspace: workspace,
                workTrees: workTrees, reuseKey: owner.map { Self.workTreeKey(owner: $0, remote: remote) })
            let reused: Bool
            switch await runBlocking({ plan.write(logger: writeLogger).mapError { MirrorFetchFailure(error: $0.error, mirrorSuspect: $0.mirrorSuspect) } }) {
            case .success(let wasReused): reused = wasReused
            case .failure(let failure) where failure.mirrorSuspect && !rebuilding:
                logger.warning("the mirror's objects could not be read; rebuilding it", metadata: ["error": "\(failure.error)"])
                rebuilding = true
                continue
            case .failure(let failure): throw failure.error
            }
            logger.info("checked out commit", metadata: [
                "commit": "\(sha)", "workspace": "\(workspace.path)", "reused_tree": "\(reused)",
                "fetch_ms": "\(fetchTime.milliseconds)", "checkout_ms": "\((clock.now - checkoutStart).milliseconds)",
            ])
            return CheckoutResult(commitSHA: sha, reusedTree: reused)
        }
    }

    /// `refs/` and plain name segments only, so the ref cannot widen into a pattern or another refspec.
    static func isFetchableRef(_ ref: String) -> Bool {
        guard ref.hasPrefix("refs/"), ref.count <= 200 else { return false }
        let segments = ref.split(separator: "/", omittingEmptySubsequences: false)
        return segments.count >= 2 && segments.allSatisfy { segment in
            !segment.isEmpty && !segment.hasPrefix(".") && !segment.contains("..")
                && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
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
