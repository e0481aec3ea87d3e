import Foundation

/// A remote URL split into the part that may be stored and logged and the userinfo that may not.
///
/// Parsed by hand rather than with `URLComponents`, because git URLs include forms that are not
/// RFC 3986 URLs (scp-like `git@host:owner/repo.git`, plain paths) and those must pass through unchanged.
struct GitRemoteURL: Sendable, Equatable {
    /// The URL without userinfo: what goes into the mirror's config, logs and errors.
    let redacted: String
    /// `user:password@` from the URL, if it had both; used as credentials when none are given.
    let embeddedCredentials: GitCredentials?

    init(_ url: String) {
        guard let schemeEnd = url.range(of: "://") else {
            // scp-like or a path: any `user@` there is an ssh login name, not a secret.
            redacted = url
            embeddedCredentials = nil
            return
        }
        let authorityStart = schemeEnd.upperBound
        let rest = url[authorityStart...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else {
            redacted = url
            embeddedCredentials = nil
            return
        }
        redacted = String(url[..<authorityStart]) + String(url[url.index(after: at)...])
        let userinfo = authority[..<at]
        if let colon = userinfo.firstIndex(of: ":") {
            let user = String(userinfo[..<colon])
            let password = String(userinfo[userinfo.index(after: colon)...])
            // userinfo is percent-encoded (`x%40y` means `x@y`).
            embeddedCredentials = GitCredentials(
                username: user.removingPercentEncoding ?? user,
                password: password.removingPercentEncoding ?? password)
        } else {
            embeddedCredentials = nil
        }
    }
}
