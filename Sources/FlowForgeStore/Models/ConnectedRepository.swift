import Foundation

/// A forge repository connected to an account: its webhooks start that account's pipelines.
/// The webhook secret and the forge access token are stored sealed (see the server's `SecretBox`);
/// the store only ever sees the sealed text.
public struct ConnectedRepository: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// `github`, `gitlab`, `bitbucket` or `git`.
    public var provider: String
    /// `owner/repo` as the forge names it in webhooks (GitLab: the project's path with namespace).
    public var fullName: String
    public var cloneURL: String
    public var webhookSecretSealed: String
    public var accessTokenSealed: String?
    public var createdAt: Int64
    /// When the forge confirmed that this account may read the repository (its access token, or its linked
    /// GitHub App installation); nil for generic git servers and for rows connected before the check existed.
    public var accessVerifiedAt: Int64?
    /// A new push to a branch cancels that branch's older unfinished push pipelines (not on the default
    /// branch). On unless the owner turns it off.
    public var autoCancel: Bool = true
    /// `GET /badge/<id>.svg` answers anyone (off unless the owner turns it on).
    public var publicBadge: Bool = false
    /// The forge's default branch, as the owner set it or a push reported it; nil until known.
    public var defaultBranch: String? = nil
    /// The owning account's plan id, read in the same query as the row by `connections(provider:fullName:)`
    /// (a webhook's lookup, which then needs no second read for the plan check); nil from every other read.
    public var ownerPlan: String? = nil

    public init(
        id: String, userID: String, provider: String, fullName: String, cloneURL: String,
        webhookSecretSealed: String, accessTokenSealed: String?, createdAt: Int64, accessVerifiedAt: Int64? = nil
    ) {
        self.accessVerifiedAt = accessVerifiedAt
        self.id = id
        self.userID = userID
        self.provider = provider
        self.fullName = fullName
        self.cloneURL = cloneURL
        self.webhookSecretSealed = webhookSecretSealed
        self.accessTokenSealed = accessTokenSealed
        self.createdAt = createdAt
    }
}

/// The answer given to one webhook delivery, kept so a redelivery gets the same answer.
public struct WebhookDeliveryRecord: Sendable, Equatable {
    public var provider: String
    public var deliveryID: String
    public var repositoryID: String?
    public var statusCode: Int
    /// The response body, byte for byte as first sent (JSON text).
    public var response: String
    public var createdAt: Int64

    public init(provider: String, deliveryID: String, repositoryID: String?, statusCode: Int, response: String, createdAt: Int64) {
        self.provider = provider
        self.deliveryID = deliveryID
        self.repositoryID = repositoryID
        self.statusCode = statusCode
        self.response = response
        self.createdAt = createdAt
    }
}

/// A GitHub App installation and the repositories it reaches, as its webhooks last reported them.
public struct GitHubInstallation: Sendable, Equatable {
    public var id: Int64
    /// Login of the user or organisation the App is installed on.
    public var account: String
    /// The FlowForge account that linked it, once linked.
    public var userID: String?
    public var suspendedAt: Int64?
    public var repositories: [String]

    public init(id: Int64, account: String, userID: String?, suspendedAt: Int64?, repositories: [String]) {
        self.id = id
        self.account = account
        self.userID = userID
        self.suspendedAt = suspendedAt
        self.repositories = repositories
    }
}
