import CLibGit2
import Foundation

extension GitError {
    /// Maps a libgit2 failure during a fetch from `url` (already redacted) to what a user can act on.
    ///
    /// libgit2 1.5 reports HTTP statuses only in its message text ("unexpected http status code: 404"),
    /// so those are matched as text; authentication is decided by the credential callback's own record
    /// first, because that is exact.
    static func fromFetch(_ failure: LibGit2Failure, url: String, auth: CredentialState) -> GitError {
        let message = failure.message
        let lowered = message.lowercased()
        // Statuses are matched with their wording: a bare "401" or "404" also turns up in paths and ids
        // (a temporary folder named by a UUID), and then misnamed the failure.
        if auth.gaveUp || failure.code == GIT_EAUTH.rawValue || lowered.contains("status code: 401")
            || lowered.contains("authentication") {
            return .authenticationFailed(url: url)
        }
        // 404 over HTTP; for file:// and paths, libgit2 fails to resolve the path or finds no repository.
        if lowered.contains("status code: 404") || lowered.contains("could not find repository")
            || lowered.contains("failed to resolve path")
            || lowered.contains("not a git repository") || lowered.contains("repository not found") {
            return .repositoryNotFound(url: url)
        }
        let networkClasses: Set<UInt32> = [
            GIT_ERROR_NET.rawValue, GIT_ERROR_OS.rawValue, GIT_ERROR_SSL.rawValue,
            GIT_ERROR_HTTP.rawValue, GIT_ERROR_SSH.rawValue,
        ]
        if networkClasses.contains(UInt32(bitPattern: failure.errorClass)) {
            return .unreachable(url: url, detail: scrub(message, auth: auth))
        }
        return .failed("fetching \(url) failed: \(scrub(message, auth: auth))")
    }

    /// A failure that is not about the remote: the mirror or workspace on local disk.
    static func local(_ failure: LibGit2Failure, url: String) -> GitError {
        .failed("\(failure.operation) for \(url) failed: \(failure.message)")
    }

    /// libgit2 messages name hosts, not credentials, but a password must never reach a user-facing
    /// text even if some transport echoes a URL back.
    private static func scrub(_ text: String, auth: CredentialState) -> String {
        guard let password = auth.credentials?.password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }
}
