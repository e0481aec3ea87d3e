/// A user name and password (or token) for an HTTPS git remote.
///
/// They reach libgit2 only through its credential callback: never through a URL, so they are never
/// written into a mirror's config and never appear in a log line or an error.
/// For a token-based forge use the forge's convention, e.g. GitHub App tokens as
/// `GitCredentials(username: "x-access-token", password: token)`.
public struct GitCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

extension GitCredentials: CustomStringConvertible, CustomDebugStringConvertible {
    /// Keeps the password out of logs and test failure messages that interpolate the value.
    public var description: String { "GitCredentials(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
}
