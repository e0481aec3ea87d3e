extension GitHubForge {
    /// `installation` (created, deleted, suspend, …) and `installation_repositories` (added, removed).
    /// `installation` lists every repository the app can reach; they count as added when the app is
    /// created and as removed when it is deleted, and as neither for other actions.
    func parseInstallation(_ request: WebhookRequest) throws -> InstallationEvent {
        let payload = try WebhookJSON.decode(InstallationPayload.self, from: request.body, provider: name)
        let action = try WebhookJSON.require(payload.action, "action", provider: name)
        let installation = try WebhookJSON.require(payload.installation, "installation", provider: name)
        let listed = (payload.repositories ?? []).compactMap(\.fullName)
        return InstallationEvent(
            id: try WebhookJSON.require(installation.id, "installation.id", provider: name),
            account: try WebhookJSON.require(installation.account?.login, "installation.account.login", provider: name),
            action: action,
            repositoriesAdded: (payload.repositoriesAdded ?? []).compactMap(\.fullName) + (action == "created" ? listed : []),
            repositoriesRemoved: (payload.repositoriesRemoved ?? []).compactMap(\.fullName) + (action == "deleted" ? listed : [])
        )
    }
}
