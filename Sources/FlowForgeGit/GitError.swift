/// Why a checkout failed. Every `url` here has already been through `GitMirrorCache.redact`,
/// so no case ever carries credentials; `description` is written for the person whose pipeline failed.
public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered but has no such repository (HTTP 404, or no repository at a `file://` path).
    case repositoryNotFound(url: String)
    /// The server wants credentials and the ones given (or none) were refused.
    case authenticationFailed(url: String)
    /// No answer from the server: connection refused, host not resolved, TLS failure, timeout.
    case unreachable(url: String, detail: String)
    /// The branch (or tag) to build does not exist in the repository.
    case refNotFound(url: String, ref: String)
    /// The commit to build is not in the repository after fetching every branch and tag.
    case commitNotFound(url: String, sha: String)
    /// Anything else; the text says what happened.
    case failed(String)

    public var description: String {
        switch self {
        case .repositoryNotFound(let url):
            return "repository \(url) was not found: check the URL and that FlowForge has access"
        case .authenticationFailed(let url):
            return "authentication to \(url) failed: check the credentials (or token) FlowForge uses "
                + "for this repository and that they may read it"
        case .unreachable(let url, let detail):
            return "could not reach \(url) (\(detail)): check the host name and port, "
                + "and that the git server is up and reachable from FlowForge"
        case .refNotFound(let url, let ref):
            return "branch \(ref) was not found in \(url): check that it exists and was pushed"
        case .commitNotFound(let url, let sha):
            return "commit \(sha) was not found in any branch or tag of \(url): "
                + "check that it was pushed and not removed by a force-push"
        case .failed(let message):
            return message
        }
    }
}
