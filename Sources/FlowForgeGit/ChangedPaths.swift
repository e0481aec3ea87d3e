import CLibGit2
import Foundation

/// The paths a pull request changed, read from a checked-out workspace's own repository.
///
/// A workspace is a clone of the mirror, which fetches every branch, so the target branch is there as
/// `refs/remotes/origin/<branch>` without another fetch. The diff runs from the merge base of that branch's
/// head and the pull request's head to the head: what the pull request changed since it forked, so commits
/// landed on the target branch afterwards are not counted (as `git diff target...head`).
struct ChangedPaths: Sendable {
    let workspace: URL
    let targetBranch: String
    let headSHA: String

    /// Sorted, unique paths: both the old and the new path of every added, deleted, modified, renamed or
    /// copied file (renames are detected, so a move counts where the file came from and where it went).
    func run() -> Result<[String], GitError> {
        do {
            return .success(try diff())
        } catch {
            return .failure(.failed("\(error.operation) failed: \(error.message)"))
        }
    }

    private func diff() throws(LibGit2Failure) -> [String] {
        var repository: OpaquePointer?
        try gitCall("opening the workspace") { git_repository_open(&repository, workspace.path) }
        defer { git_repository_free(repository) }

        var head = git_oid()
        try gitCall("reading the head commit id") { git_oid_fromstr(&head, headSHA) }
        var target = git_oid()
        try gitCall("finding the target branch \(targetBranch)") {
            var result = git_reference_name_to_id(&target, repository, "refs/remotes/origin/\(targetBranch)")
            if result < 0 { result = git_reference_name_to_id(&target, repository, "refs/heads/\(targetBranch)") }
            return result
        }
        var base = git_oid()
        try gitCall("finding the merge base of \(targetBranch) and the head") { git_merge_base(&base, repository, &target, &head) }

        let baseTree = try tree(of: &base, in: repository, what: "the merge base")
        defer { git_tree_free(baseTree) }
        let headTree = try tree(of: &head, in: repository, what: "the head commit")
        defer { git_tree_free(headTree) }

        var diff: OpaquePointer?
        try gitCall("diffing the merge base with the head") { git_diff_tree_to_tree(&diff, repository, baseTree, headTree, nil) }
        defer { git_diff_free(diff) }
        var find = git_diff_find_options()
        git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try gitCall("detecting renames") { git_diff_find_similar(diff, &find) }

        var paths = Set<String>()
        for index in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
            if let path = delta.old_file.path { paths.insert(String(cString: path)) }
            if let path = delta.new_file.path { paths.insert(String(cString: path)) }
        }
        return paths.sorted()
    }

    private func tree(of oid: inout git_oid, in repository: OpaquePointer?, what: String) throws(LibGit2Failure) -> OpaquePointer? {
        var commit: OpaquePointer?
        try gitCall("looking up \(what)") { git_commit_lookup(&commit, repository, &oid) }
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try gitCall("reading the tree of \(what)") { git_commit_tree(&tree, commit) }
        return tree
    }
}

extension GitMirrorCache {
    /// The paths a pull request into `targetBranch` changed, up to `head` (a full SHA, the commit checked
    /// out), diffed from their merge base: read from `workspace`, which `checkout` must have written and
    /// nothing may have run in yet (a step could rewrite its `.git`). Sorted and unique; a rename or copy
    /// gives both paths. Runs on the cache's thread pool.
    ///
    /// Fails (`GitError.failed`, saying what was missing) when the target branch is not in the workspace
    /// (a fork cloned from elsewhere), the histories share no commit, or a commit cannot be read; callers
    /// then treat the file list as unknown. Reads only, so it is safe to call any number of times.
    public func changedPaths(in workspace: URL, targetBranch: String, head: String) async -> Result<[String], GitError> {
        let request = ChangedPaths(workspace: workspace, targetBranch: targetBranch, headSHA: head)
        return await runBlocking { request.run() }
    }
}
