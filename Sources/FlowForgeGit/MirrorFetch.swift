import CLibGit2
import Foundation
import Logging

/// One fetch into a mirror and the lookup of the commit to build, as blocking work for the thread pool.
/// Callers hold the mirror's in-process lock; this takes the cross-process file lock itself.
struct MirrorFetch: Sendable {
    let remote: GitRemoteURL
    let credentials: GitCredentials?
    let branch: String
    let commit: String?
    let mirror: MirrorLocation
    let logger: Logger
    /// A ref fetched besides branches and tags (a pull request's head, `refs/pull/7/head`), kept in the
    /// mirror under `refs/flowforge/…` so the commit it names can be resolved.
    var extraRef: String? = nil

    /// The full SHA of the commit to check out, after fetching every branch and tag.
    func fetchAndResolve() -> Result<String, GitError> {
        let cacheRoot = mirror.directory.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        } catch {
            return .failure(.failed("could not create the git cache directory \(cacheRoot.path): "
                + "\(error.localizedDescription); check that FlowForge's data directory is writable"))
        }
        return FileLock.withExclusiveLock(path: mirror.lockPath) {
            fetchLocked()
        }
    }

    private func fetchLocked() -> Result<String, GitError> {
        let opened: (repository: OpaquePointer, created: Bool)
        do {
            opened = try MirrorRepository.openOrCreate(at: mirror.directory, remoteURL: remote.redacted, logger: logger)
        } catch {
            return .failure(.local(error, url: remote.redacted))
        }
        defer { git_repository_free(opened.repository) }

        let auth = CredentialState(credentials: credentials, remoteURL: remote.redacted)
        do {
            try fetch(into: opened.repository, auth: auth)
        } catch {
            if opened.created {
                // A URL that never fetched (a typo, no access) should not leave an empty mirror behind.
                try? FileManager.default.removeItem(at: mirror.directory)
            }
            let mapped = GitError.fromFetch(error, url: remote.redacted, auth: auth)
            logger.warning("fetch failed", metadata: ["error": "\(mapped)", "libgit2": "\(error.message)"])
            return .failure(mapped)
        }
        return MirrorRepository.resolve(
            in: opened.repository, commit: commit, branch: branch, url: remote.redacted)
    }

    private func fetch(into repository: OpaquePointer, auth: CredentialState) throws(LibGit2Failure) {
        var origin: OpaquePointer?
        try gitCall("opening the mirror's remote") { git_remote_lookup(&origin, repository, "origin") }
        defer { git_remote_free(origin) }

        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        // Branches deleted upstream disappear from the mirror, so a missing branch is reported as missing.
        options.prune = GIT_FETCH_PRUNE
        // The tags refspec already fetches every tag; automatic tag following would only repeat it.
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        options.callbacks.credentials = CredentialState.callback
        options.callbacks.payload = Unmanaged.passUnretained(auth).toOpaque()
        try withExtendedLifetime(auth) { () throws(LibGit2Failure) in
            _ = try gitCall("fetching") { git_remote_fetch(origin, nil, &options, "flowforge: fetch") }
        }
        if let extraRef {
            // A second fetch of just this ref; pruning stays off so it cannot drop the branches just fetched.
            options.prune = GIT_FETCH_NO_PRUNE
            let refspec = strdup("+\(extraRef):refs/flowforge/\(extraRef.dropFirst("refs/".count))")
            defer { free(refspec) }
            var strings: [UnsafeMutablePointer<CChar>?] = [refspec]
            _ = try gitCall("fetching \(extraRef)") {
                withExtendedLifetime(auth) {
                    strings.withUnsafeMutableBufferPointer { buffer in
                        var array = git_strarray(strings: buffer.baseAddress, count: 1)
                        return git_remote_fetch(origin, &array, &options, "flowforge: fetch ref")
                    }
                }
            }
        }
        if let stats = git_remote_stats(origin) {
            logger.debug("fetched", metadata: [
                "received_objects": "\(stats.pointee.received_objects)",
                "received_bytes": "\(stats.pointee.received_bytes)",
            ])
        }
    }
}
