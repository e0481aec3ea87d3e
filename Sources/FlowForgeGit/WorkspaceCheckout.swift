import CLibGit2
import Foundation

/// Makes a workspace holding exactly one commit, HEAD detached, in one of two ways:
/// - fresh: a local clone of the mirror whose object files are copied, never hard-linked (steps run as root
///   in the workspace: a hard link would let them rewrite the pack every account's checkouts read), and a
///   forced checkout of the commit;
/// - reused: a work tree kept from an earlier pipeline of the same account and repository (already moved to
///   `workspace`) is cleared of everything its last checkout's index does not vouch for, gets a new `.git`
///   (the steps could have changed config, hooks or objects), and libgit2 writes only what is missing or
///   differs. Same result, far fewer files written.
///
/// Either way, when the tree may be kept, a copy of the new index is left beside the workspace
/// (`WorkTreeCache.indexSnapshot`), out of the containers' reach, for the next reuse to trust.
///
/// The clone is self-contained (no `alternates` pointing into the mirror), because the workspace is
/// bind-mounted into containers where the mirror's path does not exist, and build scripts there run
/// `git log` and `git describe`. It runs without the mirror's lock: a fetch only ever adds objects and
/// moves refs, so the commit resolved before stays readable.
struct WorkspaceCheckout: Sendable {
    let mirrorPath: String
    let remote: GitRemoteURL
    let commitSHA: String
    let workspace: URL
    /// Set when a kept work tree was claimed into `workspace`: the index its last checkout wrote.
    let keptIndex: URL?
    /// Whether to leave the index snapshot beside the workspace (only needed when the tree may be kept).
    let snapshotsIndex: Bool

    func run() -> Result<Void, WorkspaceWriteFailure> {
        let path = workspace.path
        guard keptIndex != nil || !FileManager.default.fileExists(atPath: path) else {
            return .failure(WorkspaceWriteFailure(
                error: .failed("the workspace \(path) already exists: each checkout needs a new, "
                    + "empty location; remove that folder or choose another one"), mirrorSuspect: false))
        }
        do {
            try FileManager.default.createDirectory(
                at: workspace.deletingLastPathComponent(), withIntermediateDirectories: true)
            if let keptIndex {
                try refresh(trusting: keptIndex)
            } else {
                try clone(into: workspace)
            }
            try checkout(baseline: keptIndex)
            if snapshotsIndex { try snapshotIndex() }
            return .success(())
        } catch let failure as LibGit2Failure {
            GitMirrorCache.removeWorkspace(workspace)
            return .failure(WorkspaceWriteFailure(
                error: .local(failure, url: remote.redacted), mirrorSuspect: failure.suggestsDamagedObjects))
        } catch {
            GitMirrorCache.removeWorkspace(workspace)
            return .failure(WorkspaceWriteFailure(
                error: .failed("could not create the workspace \(path): \(error.localizedDescription)"), mirrorSuspect: false))
        }
    }

    /// A repository at `directory` (which must not exist) sharing the mirror's objects, with no files
    /// checked out.
    private func clone(into directory: URL) throws(LibGit2Failure) {
        var options = git_clone_options()
        git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
        // The files are written once, by `checkout`, for the exact commit; the clone's own checkout would be wasted.
        options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE.rawValue
        // Copies, not hard links: the workspace must share no inode with the mirror (see the type's comment).
        options.local = GIT_CLONE_LOCAL_NO_LINKS
        var repository: OpaquePointer?
        try gitCall("cloning the mirror into the workspace") {
            git_clone(&repository, mirrorPath, directory.path, &options)
        }
        git_repository_free(repository)
    }

    /// Brings a claimed tree to "the last checkout's files, untouched, under a new `.git`".
    private func refresh(trusting keptIndex: URL) throws {
        let trusted = try TrustedIndex(path: keptIndex.path)
        WorkTreeSanitizer(root: workspace, trusted: trusted).run()
        let fileManager = FileManager.default
        let gitDirectory = workspace.appendingPathComponent(".git", isDirectory: true)
        try? fileManager.removeItem(at: gitDirectory)
        let scratch = Self.cloneScratch(of: workspace)
        try? fileManager.removeItem(at: scratch)
        defer { try? fileManager.removeItem(at: scratch) }
        try clone(into: scratch)
        try fileManager.moveItem(at: scratch.appendingPathComponent(".git", isDirectory: true), to: gitDirectory)
        try fileManager.copyItem(at: keptIndex, to: gitDirectory.appendingPathComponent("index"))
    }

    /// `baseline` is an index describing what the work tree holds now (a reused tree's), so that libgit2
    /// compares the commit with it rather than with the new clone's HEAD, and skips files already right.
    private func checkout(baseline: URL?) throws(LibGit2Failure) {
        var repository: OpaquePointer?
        try gitCall("opening the workspace") { git_repository_open(&repository, workspace.path) }
        defer { git_repository_free(repository) }

        var oid = git_oid()
        try gitCall("reading the commit id") { git_oid_fromstr(&oid, commitSHA) }
        var commit: OpaquePointer?
        try gitCall("looking up the commit in the workspace") { git_commit_lookup(&commit, repository, &oid) }
        defer { git_commit_free(commit) }

        var checkout = git_checkout_options()
        git_checkout_options_init(&checkout, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        // In a reused tree the sanitizer already removed untracked files; these make sure of it.
        checkout.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_REMOVE_UNTRACKED.rawValue
            | GIT_CHECKOUT_REMOVE_IGNORED.rawValue
        var baselineIndex: OpaquePointer?
        defer { git_index_free(baselineIndex) }
        if let baseline {
            try gitCall("reading the kept index") { git_index_open(&baselineIndex, baseline.path) }
            checkout.baseline_index = baselineIndex
        }
        try gitCall("checking out the commit") { git_checkout_tree(repository, commit, &checkout) }
        try gitCall("detaching HEAD at the commit") { git_repository_set_head_detached(repository, &oid) }
        // `git remote -v` in a build shows the real repository, not a path of this machine's cache.
        try gitCall("setting the workspace's origin") { git_remote_set_url(repository, "origin", remote.redacted) }
    }

    /// Where a reused tree's new `.git` is cloned before it is moved in.
    static func cloneScratch(of workspace: URL) -> URL {
        URL(fileURLWithPath: workspace.path + ".clone", isDirectory: true)
    }

    private func snapshotIndex() throws {
        let snapshot = WorkTreeCache.indexSnapshot(of: workspace)
        try? FileManager.default.removeItem(at: snapshot)
        try FileManager.default.copyItem(at: workspace.appendingPathComponent(".git/index"), to: snapshot)
    }
}
