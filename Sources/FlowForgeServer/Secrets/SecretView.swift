import FlowForgeStore
import Foundation
import Hummingbird

/// A secret as the API shows it: its name, scope and dates, never its value (not even in the answer to
/// creating it: the client just sent it).
struct SecretView: ResponseEncodable {
    let name: String
    /// `account` (every repository of the account) or `repository` (only `repository_id`'s pipelines).
    let scope: String
    let repositoryId: String?
    let pullRequests: Bool
    let createdAt: Date
    let updatedAt: Date

    init(_ secret: UserSecret) {
        name = secret.name
        scope = secret.repositoryID == nil ? "account" : "repository"
        repositoryId = secret.repositoryID
        pullRequests = secret.pullRequests
        createdAt = Clock.date(millis: secret.createdAt)
        updatedAt = Clock.date(millis: secret.updatedAt)
    }

    // `repository_id` is written as null for account secrets, so every entry has the same keys.
    enum CodingKeys: String, CodingKey {
        case name, scope, repositoryId, pullRequests, createdAt, updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(scope, forKey: .scope)
        try container.encode(repositoryId, forKey: .repositoryId)
        try container.encode(pullRequests, forKey: .pullRequests)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

struct SecretListView: ResponseEncodable {
    let secrets: [SecretView]
}
