import Foundation

/// Who signed in at the forge. `email` is set only when the forge says it is verified: a new account takes
/// it, and a sign-in whose address already has an account is refused (never linked by e-mail).
struct OAuthUser: Sendable, Equatable {
    var id: String
    var login: String
    var email: String?
}

/// The endpoints and payload shapes of one forge's OAuth 2 authorization-code flow.
struct OAuthProvider: Sendable {
    let name: String
    let authorizeURL: String
    let tokenURL: String
    let scope: String?
    /// Bitbucket wants the client credentials as HTTP basic auth; the others in the form body.
    let clientAuthInHeader: Bool
    let userURL: String
    let emailsURL: String?
    let parseUser: @Sendable (_ user: [String: Any], _ emails: Any?) -> OAuthUser?

    static func named(_ name: String, configuration: AppConfiguration) -> OAuthProvider? {
        switch name {
        case "github":
            return OAuthProvider(
                name: name, authorizeURL: configuration.gitHubWebURL + "/login/oauth/authorize",
                tokenURL: configuration.gitHubWebURL + "/login/oauth/access_token", scope: "read:user user:email repo:status",
                clientAuthInHeader: false, userURL: configuration.gitHubAPIURL + "/user",
                emailsURL: configuration.gitHubAPIURL + "/user/emails", parseUser: parseGitHub
            )
        case "gitlab":
            return OAuthProvider(
                name: name, authorizeURL: configuration.gitLabURL + "/oauth/authorize",
                tokenURL: configuration.gitLabURL + "/oauth/token", scope: "read_user api",
                clientAuthInHeader: false, userURL: configuration.gitLabURL + "/api/v4/user", emailsURL: nil, parseUser: parseGitLab
            )
        case "bitbucket":
            return OAuthProvider(
                name: name, authorizeURL: configuration.bitbucketWebURL + "/site/oauth2/authorize",
                tokenURL: configuration.bitbucketWebURL + "/site/oauth2/access_token", scope: nil,
                clientAuthInHeader: true, userURL: configuration.bitbucketAPIURL + "/2.0/user",
                emailsURL: configuration.bitbucketAPIURL + "/2.0/user/emails", parseUser: parseBitbucket
            )
        default:
            return nil
        }
    }

    /// GitHub: `/user` has `id` and `login`; the verified primary address comes from `/user/emails`.
    static func parseGitHub(_ user: [String: Any], _ emails: Any?) -> OAuthUser? {
        guard let id = user["id"] as? Int, let login = user["login"] as? String else { return nil }
        let primary = (emails as? [[String: Any]])?.first { $0["primary"] as? Bool == true && $0["verified"] as? Bool == true }
        return OAuthUser(id: String(id), login: login, email: primary?["email"] as? String)
    }

    /// GitLab: `/api/v4/user` carries the primary address, which GitLab only sets once confirmed.
    static func parseGitLab(_ user: [String: Any], _ emails: Any?) -> OAuthUser? {
        guard let id = user["id"] as? Int, let login = user["username"] as? String else { return nil }
        return OAuthUser(id: String(id), login: login, email: user["email"] as? String)
    }

    /// Bitbucket: `/2.0/user` has `uuid` and `username`; `/2.0/user/emails` lists `is_primary`/`is_confirmed`.
    static func parseBitbucket(_ user: [String: Any], _ emails: Any?) -> OAuthUser? {
        guard let id = (user["uuid"] as? String) ?? (user["account_id"] as? String) else { return nil }
        let login = (user["username"] as? String) ?? (user["nickname"] as? String) ?? id
        let values = (emails as? [String: Any])?["values"] as? [[String: Any]]
        let primary = values?.first { $0["is_primary"] as? Bool == true && $0["is_confirmed"] as? Bool == true }
        return OAuthUser(id: id, login: login, email: primary?["email"] as? String)
    }
}
