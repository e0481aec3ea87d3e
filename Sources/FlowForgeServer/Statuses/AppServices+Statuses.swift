import AsyncHTTPClient
import Logging

extension AppServices {
    /// The sender of commit statuses, built from the same collaborators the routes use.
    func statusOutboxService() -> StatusOutboxService {
        StatusOutboxService(
            outbox: statusOutbox,
            sender: StatusSender(
                gitHubAPIURL: configuration.gitHubAPIURL, gitLabURL: configuration.gitLabAPIURL,
                bitbucketAPIURL: configuration.bitbucketAPIURL, secretBox: secretBox,
                installationTokens: installationTokens, httpClient: .shared
            ),
            policy: StatusRetryPolicy(baseDelayMillis: Int64(configuration.statusRetryBaseMillis)),
            signal: statusSignal, logger: logger
        )
    }
}

extension GitHubInstallationTokens {
    /// The App's token source, or nil when no App is configured. The key was checked at start-up
    /// (`AppConfiguration`), so a failure here is logged rather than thrown.
    static func make(configuration: AppConfiguration, logger: Logger) async -> GitHubInstallationTokens? {
        guard let app = configuration.gitHubApp else { return nil }
        do {
            let jwt = try await GitHubAppJWT(appID: app.appID, privateKeyPEM: app.privateKeyPEM)
            return GitHubInstallationTokens(apiBaseURL: configuration.gitHubAPIURL, jwt: jwt, httpClient: .shared, logger: logger)
        } catch {
            logger.error("GITHUB_APP_PRIVATE_KEY cannot sign; GitHub App tokens are off", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
