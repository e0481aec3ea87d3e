import CLibGit2
import Foundation

/// Makes a workspace: a local clone of the mirror (libgit2 hardlinks the object files when both are on
/// one filesystem, and copies them otherwise) and a forced checkout of one commit, HEAD detached.
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

    func run() -> Result<Void, GitError> {
        let path = workspace.path
        guard !FileManager.default.fileExists(atPath: path) else {
            return .failure(.failed("the workspace \(path) already exists: each checkout needs a new, "
                + "empty location; remove that folder or choose another one"))
        }
        do {
            try FileManager.default.createDirectory(
                at: workspace.deletingLastPathComponent(), withIntermediateDirectories: true)
            try cloneAndCheckout()
            return .success(())
        } catch let failure as LibGit2Failure {
            try? FileManager.default.removeItem(at: workspace)
            return .failure(.local(failure, url: remote.redacted))
        } catch {
            try? FileManager.default.removeItem(at: workspace)
            return .failure(.failed("could not create the workspace \(path): \(error.localizedDescription)"))
        }
    }

    private func cloneAndCheckout() throws(LibGit2Failure) {
        var options = git_clone_options()
        git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
        // The files are written once, below, for the exact commit; the clone's own checkout would be wasted.
        options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE.rawValue
        options.local = GIT_CLONE_LOCAL
        var repository: OpaquePointer?
        try gitCall("cloning the mirror into the workspace") {
            git_clone(&repository, mirrorPath, workspace.path, &options)
        }
        defer { git_repository_free(repository) }

        var oid = git_oid()
        try gitCall("reading the commit id") { git_oid_fromstr(&oid, commitSHA) }
        var commit: OpaquePointer?
        try gitCall("looking up the commit in the workspace") { git_commit_lookup(&commit, repository, &oid) }
        defer { git_commit_free(commit) }

        var checkout = git_checkout_options()
        git_checkout_options_init(&checkout, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        checkout.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue
        try gitCall("checking out the commit") { git_checkout_tree(repository, commit, &checkout) }
        try gitCall("detaching HEAD at the commit") { git_repository_set_head_detached(repository, &oid) }
        // `git remote -v` in a build shows the real repository, not a path of this machine's cache.
        try gitCall("setting the workspace's origin") { git_remote_set_url(repository, "origin", remote.redacted) }
    }
}
