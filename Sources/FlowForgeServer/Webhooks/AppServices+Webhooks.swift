import FlowForgeStore

/// Connected repositories and webhooks, built from the shared database and configuration. These are
/// small value types over the connection pool, so building them on use costs nothing worth caching.
extension AppServices {
    var connectedRepositories: any ConnectedRepositoryRepository { SQLConnectedRepositoryRepository(database: database) }
    var webhookDeliveries: any WebhookDeliveryRepository { SQLWebhookDeliveryRepository(database: database) }
    var gitHubInstallations: any GitHubInstallationRepository { SQLGitHubInstallationRepository(database: database) }
    /// Seals repository secrets and forge tokens under a key derived from `JWT_SECRET`.
    var secretBox: SecretBox { SecretBox(configuration: configuration) }
}

extension WebhookController {
    init(services: AppServices) {
        self.init(
            repositories: services.connectedRepositories, deliveries: services.webhookDeliveries,
            installations: services.gitHubInstallations, secretBox: services.secretBox, launcher: services.launcher,
            gitHubAppSecret: services.configuration.gitHubAppWebhookSecret,
            hosts: ForgeHosts(configuration: services.configuration),
            badges: SQLRepositoryBadgeRepository(database: services.database)
        )
    }
}

extension RepositoryController {
    init(services: AppServices) {
        let hosts = ForgeHosts(configuration: services.configuration)
        self.init(
            repositories: services.connectedRepositories, installations: services.gitHubInstallations,
            secretBox: services.secretBox,
            urlPolicy: RepositoryURLPolicy(allowLocal: services.configuration.allowLocalRepositories),
            hosts: hosts, verifier: ForgeAccessVerifier(hosts: hosts, httpClient: .shared),
            apiBaseURL: services.configuration.apiBaseURL,
            identities: SQLOAuthIdentityRepository(database: services.database),
            userInstallations: GitHubUserInstallations(apiBaseURL: services.configuration.gitHubAPIURL, httpClient: .shared),
            badges: SQLRepositoryBadgeRepository(database: services.database)
        )
    }
}
