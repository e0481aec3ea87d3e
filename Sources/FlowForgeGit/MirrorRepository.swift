import CLibGit2
import Foundation
import Logging

/// The bare mirror on disk: creating it, and finding commits in it. Callers hold the mirror's file lock.
enum MirrorRepository {
    /// The refspecs a mirror fetches: every branch and every tag, force-updated, as the remote has them.
    static let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// Opens the mirror at `directory`, creating it (with an `origin` remote for `remoteURL`) if missing.
    /// A directory that is not a usable repository (say, a crash during its creation) is replaced.
    /// `created` tells whether this call made it.
    static func openOrCreate(
        at directory: URL, remoteURL: String, logger: Logger
    ) throws(LibGit2Failure) -> (repository: OpaquePointer, created: Bool) {
        var repository: OpaquePointer?
        var created = false
        if git_repository_open_bare(&repository, directory.path) < 0 {
            if FileManager.default.fileExists(atPath: directory.path) {
                logger.warning("replacing an unreadable mirror", metadata: ["path": "\(directory.path)"])
                try? FileManager.default.removeItem(at: directory)
            }
            try gitCall("creating the mirror") { git_repository_init(&repository, directory.path, 1) }
            created = true
        }
        guard let repository else {
            throw LibGit2Failure(code: -1, operation: "opening the mirror")
        }
        do {
            try ensureOrigin(in: repository, url: remoteURL)
        } catch {
            git_repository_free(repository)
            throw error
        }
        return (repository, created)
    }

    /// Adds the `origin` remote unless it is there already. The URL stored is the redacted one:
    /// the mirror's config never holds a credential.
    private static func ensureOrigin(in repository: OpaquePointer, url: String) throws(LibGit2Failure) {
        var origin: OpaquePointer?
        if git_remote_lookup(&origin, repository, "origin") == 0 {
            git_remote_free(origin)
            return
        }
        try gitCall("configuring the mirror's remote") {
            git_remote_create_with_fetchspec(&origin, repository, "origin", url, refspecs[0])
        }
        git_remote_free(origin)
        try gitCall("configuring the mirror's tag refspec") {
            git_remote_add_fetch(repository, "origin", refspecs[1])
        }
    }

    /// The full SHA of `commit` (a full or abbreviated hex SHA) if given, else of the head of `branch`
    /// (a branch name, a tag name, or a full `refs/...` name).
    static func resolve(
        in repository: OpaquePointer, commit: String?, branch: String, url: String
    ) -> Result<String, GitError> {
        if let commit {
            guard let sha = lookupCommit(commit, in: repository) else {
                return .failure(.commitNotFound(url: url, sha: commit))
            }
            return .success(sha)
        }
        // Looked up as reference names, never parsed as revision syntax, so `main@{1}` or `HEAD~3`
        // in a branch name cannot select something else.
        let candidates = branch.hasPrefix("refs/") ? [branch] : ["refs/heads/\(branch)", "refs/tags/\(branch)"]
        for name in candidates {
            if let sha = peelToCommit(reference: name, in: repository) {
                return .success(sha)
            }
        }
        return .failure(.refNotFound(url: url, ref: branch))
    }

    private static func lookupCommit(_ text: String, in repository: OpaquePointer) -> String? {
        let hex = text.lowercased()
        guard (4...40).contains(hex.count), hex.allSatisfy(\.isHexDigit) else { return nil }
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, hex.utf8.count) == 0 else { return nil }
        var commit: OpaquePointer?
        guard git_commit_lookup_prefix(&commit, repository, &oid, hex.utf8.count) == 0 else { return nil }
        defer { git_commit_free(commit) }
        return git_commit_id(commit)?.pointee.hex
    }

    private static func peelToCommit(reference name: String, in repository: OpaquePointer) -> String? {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, repository, name) == 0 else { return nil }
        defer { git_reference_free(reference) }
        var object: OpaquePointer?
        guard git_reference_peel(&object, reference, GIT_OBJECT_COMMIT) == 0 else { return nil }
        defer { git_object_free(object) }
        return git_object_id(object)?.pointee.hex
    }
}
