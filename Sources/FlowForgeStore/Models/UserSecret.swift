import Foundation

/// A secret of an account, for its pipelines' steps (`from_secret`) and image pulls. The value is stored
/// sealed (see the server's `SecretBox`); the store only ever sees the sealed text.
public struct UserSecret: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// The repository the secret belongs to; nil for a secret of the whole account.
    public var repositoryID: String?
    public var name: String
    public var valueSealed: String
    /// Whether pipelines of pull requests from forks may have it (their code is a stranger's).
    public var pullRequests: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: String, userID: String, repositoryID: String?, name: String, valueSealed: String, pullRequests: Bool,
        createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.userID = userID
        self.repositoryID = repositoryID
        self.name = name
        self.valueSealed = valueSealed
        self.pullRequests = pullRequests
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
