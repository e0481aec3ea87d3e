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
    /// Deadline, cancellation and address policy of this fetch's connections.
    let guardian: FetchGuard
    let logger: Logger
    /// A ref fetched besides branches and tags (a pull request's head, `refs/pull/7/head`), kept in the
    /// mirror under `refs/flowforge/…` so the commit it names can be resolved.
    var extraRef: String? = nil

    /// The full SHA of the commit to check out, after fetching every branch and tag. With `rebuilding`, the
    /// mirror is first removed (under the file lock) and fetched afresh: it was found damaged.
    func fetchAndResolve(rebuilding: Bool = false) -> Result<String, MirrorFetchFailure> {
        let cacheRoot = mirror.directory.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true)
        } catch {
            return .failure(MirrorFetchFailure(
                error: .failed("could not create the git cache directory \(cacheRoot.path): "
                    + "\(error.localizedDescription); check that FlowForge's data directory is writable"),
                mirrorSuspect: false))
        }
        var damaged: MirrorFetchFailure?
        let result = FileLock.withExclusiveLock(path: mirror.lockPath) { () -> Result<String, GitError> in
            if rebuilding {
                logger.warning("rebuilding a damaged mirror", metadata: ["path": "\(mirror.directory.path)"])
                try? FileManager.default.removeItem(at: mirror.directory)
            }
            switch fetchLocked() {
            case .success(let sha): return .success(sha)
            case .failure(let failure):
                damaged = failure
                return .failure(failure.error)
            }
        }
        if let damaged { return .failure(damaged) }
        return result.mapError { MirrorFetchFailure(error: $0, mirrorSuspect: false) }
    }

    private func fetchLocked() -> Result<String, MirrorFetchFailure> {
        let opened: (repository: OpaquePointer, created: Bool)
        do {
            opened = try MirrorRepository.openOrCreate(at: mirror.directory, remoteURL: remote.redacted, logger: logger)
        } catch {
            return .failure(MirrorFetchFailure(error: .local(error, url: remote.redacted), mirrorSuspect: true))
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
            let mapped = guardianError() ?? GitError.fromFetch(error, url: remote.redacted, auth: auth)
            logger.warning("fetch failed", metadata: ["error": "\(mapped)", "libgit2": "\(error.message)"])
            // Fetching reads the mirror's own objects to tell the server what it has: damage shows here too.
            return .failure(MirrorFetchFailure(error: mapped, mirrorSuspect: !opened.created && error.suggestsDamagedObjects))
        }
        return MirrorRepository.resolve(
            in: opened.repository, commit: commit, branch: branch, url: remote.redacted)
    }

    /// The failure in FlowForge's words when the guard stopped the fetch (deadline, cancel, refused address).
    private func guardianError() -> GitError? {
        if guardian.hasExpired {
            return .failed("checking out \(remote.redacted) timed out: the git server did not send the repository within "
                + "\(guardian.timeout.secondsText) (FLOWFORGE_CHECKOUT_TIMEOUT); check that it is up, or try again later")
        }
        if guardian.isCancelled {
            return .failed("the checkout of \(remote.redacted) was stopped before it finished")
        }
        if let target = guardian.redirectedTo {
            return .failed("\(remote.redacted) redirected to \(target), another host or port; FlowForge fetches only from "
                + "the host and port of the repository's URL: use the URL the server redirects to")
        }
        if let address = guardian.refusedAddress {
            return .failed("the host of \(remote.redacted) resolves to \(address), a loopback, private, link-local or other "
                + "special-purpose address, which FlowForge does not fetch from")
        }
        return nil
    }

    private func fetch(into repository: OpaquePointer, auth: CredentialState) throws(LibGit2Failure) {
        // An in-memory remote with the refspecs given at fetch time, not the `origin` of the mirror's config:
        // libgit2 1.5 looks a named remote up through a regex over every config entry (url.*.insteadOf), and
        // with Debian's PCRE2 each entry that does not match leaks about 18 KiB (the match data is not freed
        // on a non-match), which added some 180 KiB to the server's memory per pipeline.
        var origin: OpaquePointer?
        var remoteOptions = git_remote_create_options()
        git_remote_create_options_init(&remoteOptions, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        remoteOptions.repository = repository
        remoteOptions.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        try gitCall("opening the mirror's remote") { git_remote_create_with_opts(&origin, remote.redacted, &remoteOptions) }
        defer { git_remote_free(origin) }

        var options = git_fetch_options()
        git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION))
        // Branches deleted upstream disappear from the mirror, so a missing branch is reported as missing.
        options.prune = GIT_FETCH_PRUNE
        // The tags refspec already fetches every tag; automatic tag following would only repeat it.
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        options.update_fetchhead = 0
        // A redirect would lead off the host whose address was checked (and whose credentials these are).
        // libgit2 1.5 still follows same-host redirects to another port; `FetchGuard` refuses those.
        options.follow_redirects = GIT_REMOTE_REDIRECT_NONE
        // A server that trickles data never blocks a read for long; these stop it at the deadline too.
        options.callbacks.transfer_progress = { _, _ in FetchGuard.current?.stopReason() == nil ? 0 : -1 }
        options.callbacks.sideband_progress = { _, _, _ in FetchGuard.current?.stopReason() == nil ? 0 : -1 }
        options.callbacks.credentials = CredentialState.callback
        options.callbacks.payload = Unmanaged.passUnretained(auth).toOpaque()
        let mirrorRefspecs = MirrorRepository.refspecs.map { strdup($0) }
        defer { mirrorRefspecs.forEach { free($0) } }
        var refspecPointers: [UnsafeMutablePointer<CChar>?] = mirrorRefspecs
        try withExtendedLifetime(auth) { () throws(LibGit2Failure) in
            _ = try gitCall("fetching") {
                guardian.governing {
                    refspecPointers.withUnsafeMutableBufferPointer { buffer in
                        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
                        return git_remote_fetch(origin, &array, &options, "flowforge: fetch")
                    }
                }
            }
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
