import Foundation
import SQLKit

/// A forge account tied to a FlowForge account by OAuth sign-in or "connect".
public struct OAuthIdentityRecord: Sendable, Equatable {
    public var provider: String
    public var providerUserID: String
    public var userID: String
    public var login: String
    /// Sealed by the server's secret box; this layer never sees the token in the clear.
    public var accessTokenSealed: String
    public var refreshTokenSealed: String?

    public init(provider: String, providerUserID: String, userID: String, login: String, accessTokenSealed: String, refreshTokenSealed: String?) {
        self.provider = provider
        self.providerUserID = providerUserID
        self.userID = userID
        self.login = login
        self.accessTokenSealed = accessTokenSealed
        self.refreshTokenSealed = refreshTokenSealed
    }
}

/// OAuth identities, one per (provider, provider user id).
public protocol OAuthIdentityRepository: Sendable {
    func find(provider: String, providerUserID: String) async throws -> OAuthIdentityRecord?
    /// Inserts the identity or, when it exists, replaces its tokens and login (the owner never changes here).
    func save(_ identity: OAuthIdentityRecord, at: Int64) async throws
    func list(userID: String) async throws -> [OAuthIdentityRecord]
}

public struct SQLOAuthIdentityRepository: OAuthIdentityRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func find(provider: String, providerUserID: String) async throws -> OAuthIdentityRecord? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM oauth_identities WHERE provider = \(bind: provider) AND provider_user_id = \(bind: providerUserID)
                """).first().map(Self.record)
        }
    }

    public func save(_ identity: OAuthIdentityRecord, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO oauth_identities (provider, provider_user_id, user_id, login, access_token_encrypted,
                    refresh_token_encrypted, created_at, updated_at)
                VALUES (\(bind: identity.provider), \(bind: identity.providerUserID), \(bind: identity.userID), \(bind: identity.login),
                    \(bind: identity.accessTokenSealed), \(bind: identity.refreshTokenSealed), \(bind: at), \(bind: at))
                ON CONFLICT (provider, provider_user_id) DO UPDATE SET login = excluded.login,
                    access_token_encrypted = excluded.access_token_encrypted,
                    refresh_token_encrypted = excluded.refresh_token_encrypted, updated_at = excluded.updated_at
                """).run()
        }
    }

    public func list(userID: String) async throws -> [OAuthIdentityRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM oauth_identities WHERE user_id = \(bind: userID) ORDER BY provider").all().map(Self.record)
        }
    }

    static func record(_ row: any SQLRow) throws -> OAuthIdentityRecord {
        OAuthIdentityRecord(
            provider: try row.string("provider"), providerUserID: try row.string("provider_user_id"), userID: try row.string("user_id"),
            login: try row.string("login"), accessTokenSealed: try row.string("access_token_encrypted"),
            refreshTokenSealed: try row.optionalString("refresh_token_encrypted")
        )
    }
}
