import JWTKit

extension AppConfiguration {
    /// Forge API roots, the GitHub App and the status outbox's retry pace.
    mutating func readForgeSettings(_ env: EnvironmentReader) throws {
        gitHubAPIURL = try env.url("GITHUB_API_URL", default: "https://api.github.com")
        gitLabURL = try env.url("GITLAB_URL", default: "https://gitlab.com")
        gitLabAPIURL = try env.url("GITLAB_API_URL", default: gitLabURL)
        bitbucketAPIURL = try env.url("BITBUCKET_API_URL", default: "https://api.bitbucket.org")
        gitHubAppWebhookSecret = env.string("GITHUB_APP_WEBHOOK_SECRET")
        gitHubAppSlug = env.string("GITHUB_APP_SLUG")
        statusRetryBaseMillis = try env.int("FLOWFORGE_STATUS_RETRY_BASE_MS", default: 1_000, range: 10...600_000)

        let appID = env.string("GITHUB_APP_ID")
        // Environment files often hold a PEM on one line with literal "\n"; accept that form too.
        let pem = env.string("GITHUB_APP_PRIVATE_KEY")?.replacingOccurrences(of: "\\n", with: "\n")
        switch (appID, pem) {
        case (nil, nil):
            gitHubApp = nil
        case (nil, _):
            throw ConfigurationError(variable: "GITHUB_APP_ID", message: "must be set when GITHUB_APP_PRIVATE_KEY is; it is the App ID shown on the GitHub App's settings page")
        case (_, nil):
            throw ConfigurationError(variable: "GITHUB_APP_PRIVATE_KEY", message: "must be set when GITHUB_APP_ID is; generate a private key on the GitHub App's settings page and paste the PEM text")
        case let (id?, key?):
            guard let number = Int64(id), number > 0 else {
                throw ConfigurationError(variable: "GITHUB_APP_ID", message: "must be the App's numeric ID, got \"\(id)\"")
            }
            guard (try? Insecure.RSA.PrivateKey(pem: key)) != nil else {
                throw ConfigurationError(variable: "GITHUB_APP_PRIVATE_KEY", message: "is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- …); paste the whole .pem file GitHub generated")
            }
            gitHubApp = GitHubAppSettings(appID: String(number), privateKeyPEM: key)
        }
    }
}
