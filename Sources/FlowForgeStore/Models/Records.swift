import Foundation

/// An account as stored. `email` is lower-cased; `passwordHash` is a bcrypt hash. `tokenGeneration` rises
/// with every password change; access tokens carry the generation they were issued under.
public struct UserRecord: Sendable, Equatable {
    public var id: String
    public var email: String
    public var passwordHash: String
    public var plan: String
    public var createdAt: Int64
    public var updatedAt: Int64
    public var tokenGeneration: Int64

    public init(id: String, email: String, passwordHash: String, plan: String, createdAt: Int64, updatedAt: Int64, tokenGeneration: Int64 = 0) {
        self.id = id
        self.email = email
        self.passwordHash = passwordHash
        self.plan = plan
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.tokenGeneration = tokenGeneration
    }
}

/// An API key as stored: never the key itself, only its HMAC (`keyHash`, not exposed here) and a display prefix.
public struct APIKeyRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var name: String
    public var prefix: String
    public var createdAt: Int64
    public var lastUsedAt: Int64?
    public var revokedAt: Int64?

    public init(id: String, userID: String, name: String, prefix: String, createdAt: Int64, lastUsedAt: Int64?, revokedAt: Int64?) {
        self.id = id
        self.userID = userID
        self.name = name
        self.prefix = prefix
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// A refresh token row; `familyID` ties together one sign-in's rotations.
public struct RefreshTokenRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var familyID: String
    public var expiresAt: Int64
    public var usedAt: Int64?
    public var revokedAt: Int64?
}
