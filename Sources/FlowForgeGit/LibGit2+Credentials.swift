import CLibGit2

/// What the credential callback knows and what it learned during one fetch.
///
/// Only touched by the single thread running that fetch (libgit2 calls the callback synchronously
/// from inside `git_remote_fetch`), so it needs no lock and is never shared across tasks.
final class CredentialState {
    let credentials: GitCredentials?
    /// Host (and port) of the remote; credentials are offered to this authority only, so a redirect
    /// to another host cannot collect them.
    let authority: String?
    /// How many times libgit2 asked. It asks again after each 401, so a second request means the
    /// first answer was refused; answering again would loop against the server forever.
    private(set) var requests = 0
    /// True once the callback refused to answer: the failure is an authentication failure.
    private(set) var gaveUp = false

    static let maxRequests = 1

    init(credentials: GitCredentials?, remoteURL: String) {
        self.credentials = credentials
        self.authority = Self.authority(of: remoteURL)
    }

    /// The libgit2 callback. A non-capturing closure, so it converts to a C function pointer;
    /// it finds its state through `payload`.
    static let callback: git_credential_acquire_cb = { out, url, _, allowedTypes, payload in
        guard let out, let payload else { return -1 }
        let state = Unmanaged<CredentialState>.fromOpaque(payload).takeUnretainedValue()
        return state.answer(out, url: url.map { String(cString: $0) }, allowedTypes: allowedTypes)
    }

    private func answer(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>,
        url: String?, allowedTypes: UInt32
    ) -> Int32 {
        requests += 1
        let offersPassword = allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0
        guard let credentials, requests <= Self.maxRequests, offersPassword,
              url.flatMap(Self.authority(of:)) == authority
        else {
            gaveUp = true
            git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "credentials were refused or are missing")
            return GIT_EAUTH.rawValue
        }
        return git_credential_userpass_plaintext_new(out, credentials.username, credentials.password)
    }

    /// `host[:port]` of a `scheme://[userinfo@]host[:port]/...` URL, nil for other forms.
    static func authority(of url: String) -> String? {
        let redacted = GitRemoteURL(url).redacted
        guard let schemeEnd = redacted.range(of: "://") else { return nil }
        let rest = redacted[schemeEnd.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        return rest[..<end].lowercased()
    }
}
