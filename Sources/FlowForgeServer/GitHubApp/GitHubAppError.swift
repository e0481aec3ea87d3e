/// Why FlowForge could not act as the GitHub App; the descriptions reach logs and users.
enum GitHubAppError: Error, CustomStringConvertible, Equatable {
    /// `GITHUB_APP_ID` / `GITHUB_APP_PRIVATE_KEY` are not set.
    case notConfigured
    /// GitHub refused the token request (`status` and its message).
    case tokenRefused(installationID: Int64, status: Int, message: String)
    /// GitHub answered 2xx with a body FlowForge could not read.
    case unreadableTokenResponse(installationID: Int64)

    var description: String {
        switch self {
        case .notConfigured:
            "the GitHub App is not configured: set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY"
        case let .tokenRefused(id, status, message):
            "GitHub refused an access token for App installation \(id) (HTTP \(status): \(message)); "
                + "check GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, and that the App is still installed"
        case let .unreadableTokenResponse(id):
            "GitHub's answer to the access token request for App installation \(id) had no token and expiry; check GITHUB_API_URL"
        }
    }
}
