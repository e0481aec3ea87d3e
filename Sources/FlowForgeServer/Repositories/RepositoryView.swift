import FlowForgeStore
import Foundation
import Hummingbird

/// A connected repository as the API shows it: never its webhook secret or access token.
struct RepositoryView: ResponseEncodable {
    let id: String
    let provider: String
    let fullName: String
    let cloneUrl: String
    let webhookUrl: String
    let hasAccessToken: Bool
    let createdAt: Date

    init(_ record: ConnectedRepository, apiBaseURL: String) {
        id = record.id
        provider = record.provider
        fullName = record.fullName
        cloneUrl = record.cloneURL
        webhookUrl = Self.webhookURL(apiBaseURL: apiBaseURL, provider: record.provider)
        hasAccessToken = record.accessTokenSealed != nil
        createdAt = Clock.date(millis: record.createdAt)
    }

    /// Where the forge must send this provider's webhooks.
    static func webhookURL(apiBaseURL: String, provider: String) -> String {
        let base = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        return "\(base)/api/webhooks/\(provider)"
    }
}

struct RepositoryListView: ResponseEncodable {
    let repositories: [RepositoryView]
}

/// The answer to connecting a repository: the only time the webhook secret is shown.
struct CreatedRepositoryView: ResponseEncodable {
    let id: String
    let provider: String
    let fullName: String
    let cloneUrl: String
    let webhookUrl: String
    let webhookSecret: String
    let hasAccessToken: Bool
    let createdAt: Date

    init(_ view: RepositoryView, webhookSecret: String) {
        id = view.id
        provider = view.provider
        fullName = view.fullName
        cloneUrl = view.cloneUrl
        webhookUrl = view.webhookUrl
        self.webhookSecret = webhookSecret
        hasAccessToken = view.hasAccessToken
        createdAt = view.createdAt
    }
}
