import CLibGit2
import Foundation
import Logging

/// The bare mirror on disk: creating it, and finding commits in it. Callers hold the mirror's file lock.
enum MirrorRepository {
    /// The refspecs a mirror fetches: every branch and every tag, force-updated, as the remote has them.
    static let refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// Opens the mirror at `directory`, creating it if missing, with `remote.origin.url` set to `remoteURL`
    /// (the redacted URL: the mirror's config never holds a credential). A directory that is not a usable
    /// repository (say, a crash during its creation) is replaced. `created` tells whether this call made it.
    /// The URL is only a record of what the mirror mirrors: each fetch names its URL and refspecs itself (see
    /// `MirrorFetch.fetch` for why no fetch looks the remote up).
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
        if created {
            do {
                try recordOrigin(in: repository, url: remoteURL)
            } catch {
                git_repository_free(repository)
                throw error
            }
        }
        return (repository, created)
    }

    /// A plain config write: creating a named remote would go through libgit2's regex-matched config
    /// iteration, which leaks with Debian's PCRE2.
    private static func recordOrigin(in repository: OpaquePointer, url: String) throws(LibGit2Failure) {
        var config: OpaquePointer?
        try gitCall("opening the mirror's config") { git_repository_config(&config, repository) }
        defer { git_config_free(config) }
        try gitCall("recording the mirror's remote") { git_config_set_string(config, "remote.origin.url", url) }
    }

    /// The full SHA of `commit` (a full or abbreviated hex SHA) if given, else of the head of `branch`
    /// (a branch name, a tag name, or a full `refs/...` name).
    static func resolve(
        in repository: OpaquePointer, commit: String?, branch: String, url: String
    ) -> Result<String, MirrorFetchFailure> {
        if let commit {
            switch lookupCommit(commit, in: repository) {
            case .found(let sha): return .success(sha)
            case .missing: return .failure(MirrorFetchFailure(error: .commitNotFound(url: url, sha: commit), mirrorSuspect: false))
            case .unreadable(let failure):
                return .failure(MirrorFetchFailure(error: .local(failure, url: url), mirrorSuspect: true))
            }
        }
        // Looked up as reference names, never parsed as revision syntax, so `main@{1}` or `HEAD~3`
        // in a branch name cannot select something else.
        let candidates = branch.hasPrefix("refs/") ? [branch] : ["refs/heads/\(branch)", "refs/tags/\(branch)"]
        for name in candidates {
            switch peelToCommit(reference: name, in: repository) {
            case .found(let sha): return .success(sha)
            case .missing: continue
            case .unreadable(let failure):
                return .failure(MirrorFetchFailure(error: .local(failure, url: url), mirrorSuspect: true))
            }
        }
        return .failure(MirrorFetchFailure(error: .refNotFound(url: url, ref: branch), mirrorSuspect: false))
    }

    /// A lookup's answer: `unreadable` when the object is listed but cannot be read (a damaged mirror).
    enum Lookup {
        case found(String)
        case missing
        case unreadable(LibGit2Failure)
    }

    private static func lookupCommit(_ text: String, in repository: OpaquePointer) -> Lookup {
        let hex = text.lowercased()
        guard (4...40).contains(hex.count), hex.allSatisfy(\.isHexDigit) else { return .missing }
        var oid = git_oid()
        guard git_oid_fromstrn(&oid, hex, hex.utf8.count) == 0 else { return .missing }
        var commit: OpaquePointer?
        let code = git_commit_lookup_prefix(&commit, repository, &oid, hex.utf8.count)
        guard code == 0 else { return missingOrUnreadable(code, "looking up the commit in the mirror") }
        defer { git_commit_free(commit) }
        return git_commit_id(commit).map { .found($0.pointee.hex) } ?? .missing
    }

    private static func peelToCommit(reference name: String, in repository: OpaquePointer) -> Lookup {
        var reference: OpaquePointer?
        guard git_reference_lookup(&reference, repository, name) == 0 else { return .missing }
        defer { git_reference_free(reference) }
        var object: OpaquePointer?
        let code = git_reference_peel(&object, reference, GIT_OBJECT_COMMIT)
        guard code == 0 else { return missingOrUnreadable(code, "reading \(name) in the mirror") }
        defer { git_object_free(object) }
        return git_object_id(object).map { .found($0.pointee.hex) } ?? .missing
    }

    /// Not found and ambiguous are answers about the repository; anything else is about the mirror's disk.
    private static func missingOrUnreadable(_ code: Int32, _ operation: String) -> Lookup {
        if code == GIT_ENOTFOUND.rawValue || code == GIT_EAMBIGUOUS.rawValue || code == GIT_EINVALIDSPEC.rawValue {
            return .missing
        }
        let failure = LibGit2Failure(code: code, operation: operation)
        return failure.suggestsDamagedObjects ? .unreadable(failure) : .missing
    }
}
