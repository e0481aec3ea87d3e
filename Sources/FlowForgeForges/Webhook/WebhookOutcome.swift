/// What a verified delivery asks of FlowForge.
public enum WebhookOutcome: Sendable, Equatable {
    /// Start a pipeline for this commit (after matching the repository and checking limits).
    case trigger(Trigger)
    /// The forge checks the hook works (GitHub `ping`): answer 200, start nothing.
    case ping
    /// A GitHub App was installed, removed or given other repositories: record it, start nothing.
    case installation(InstallationEvent)
    /// A well-formed delivery that starts nothing; `reason` says why in plain words, for the delivery log.
    case ignored(reason: String)
}

/// A GitHub App `installation` or `installation_repositories` event.
public struct InstallationEvent: Sendable, Equatable {
    public var id: Int64
    /// Login of the user or organisation the app is installed on.
    public var account: String
    /// GitHub's action, e.g. `created`, `deleted`, `suspend`, `added`, `removed`.
    public var action: String
    /// Full names now reachable: the listed repositories of `created`, or `repositories_added`.
    public var repositoriesAdded: [String]
    /// Full names no longer reachable: the listed repositories of `deleted`, or `repositories_removed`.
    public var repositoriesRemoved: [String]

    public init(id: Int64, account: String, action: String, repositoriesAdded: [String], repositoriesRemoved: [String]) {
        self.id = id
        self.account = account
        self.action = action
        self.repositoriesAdded = repositoriesAdded
        self.repositoriesRemoved = repositoriesRemoved
    }
}
