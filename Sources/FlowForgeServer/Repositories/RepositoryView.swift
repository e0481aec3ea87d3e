import FlowForgeStore
import Foundation
import Hummingbird

/// A connected repository as the API shows it: never its access token, and its webhook secret only in the
/// answer to connecting it (nil, and so absent from the JSON, everywhere else).
struct RepositoryView: ResponseEncodable {
    let id: String
    let provider: String
    let fullName: String
    let cloneUrl: String
    let webhookUrl: String
    let hasAccessToken: Bool
    let createdAt: Date
    /// When the forge confirmed this account may read the repository; absent for generic git servers.
    let accessVerifiedAt: Date?
    let webhookSecret: String?
    /// A new push to a branch cancels its older unfinished pipelines (never on the default branch).
    let autoCancel: Bool
    /// `GET /badge/<id>.svg` answers anyone; off by default.
    let publicBadge: Bool
    /// The branch a badge shows when the request names none; absent until set or learnt from a push.
    let defaultBranch: String?

    /// `cloneURL` is what pipelines really clone (`ForgeHosts`): for forge repositories the forge's own host,
    /// even when an older row stored another URL.
    init(_ record: ConnectedRepository, apiBaseURL: String, cloneURL: String, webhookSecret: String? = nil) {
        id = record.id
        provider = record.provider
        fullName = record.fullName
        cloneUrl = cloneURL
        webhookUrl = Self.webhookURL(apiBaseURL: apiBaseURL, provider: record.provider)
        hasAccessToken = record.accessTokenSealed != nil
        createdAt = Clock.date(millis: record.createdAt)
        accessVerifiedAt = record.accessVerifiedAt.map(Clock.date(millis:))
        self.webhookSecret = webhookSecret
        autoCancel = record.autoCancel
        publicBadge = record.publicBadge
        defaultBranch = record.defaultBranch
    }

    /// Where the forge must send this provider's webhooks.
    /// `apiBaseURL` comes without a trailing slash: the configuration strips it.
    static func webhookURL(apiBaseURL: String, provider: String) -> String {
        "\(apiBaseURL)/api/webhooks/\(provider)"
    }
}

struct RepositoryListView: ResponseEncodable {
    let repositories: [RepositoryView]
}
