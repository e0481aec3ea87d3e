import Foundation
import SQLKit

/// What presenting a refresh token led to.
public enum RefreshRotation: Sendable, Equatable {
    /// The token was valid; it is now used and `userID` may be issued the next token of `familyID`.
    case rotated(userID: String, familyID: String)
    /// The token was already used or revoked: its whole family has been revoked (likely theft).
    case reused
    /// Unknown or expired.
    case invalid
}

/// Rotating refresh tokens, found by the SHA-256 of the token.
public protocol RefreshTokenRepository: Sendable {
    /// Stores a new token of `familyID`. Throws `StoreError.conflict` when the family has been ended (a token
    /// of it was revoked, e.g. by a password change or a reuse), so a refresh racing a password change
    /// cannot start a live token in a family the change ended.
    func create(id: String, userID: String, familyID: String, tokenHash: String, createdAt: Int64, expiresAt: Int64) async throws
    /// Marks the token used in one transaction, so two concurrent presentations of one token cannot both rotate.
    func consume(tokenHash: String, now: Int64) async throws -> RefreshRotation
    /// Revokes every token of the account (password change).
    func revokeAll(userID: String, at: Int64) async throws
}

public struct SQLRefreshTokenRepository: RefreshTokenRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(id: String, userID: String, familyID: String, tokenHash: String, createdAt: Int64, expiresAt: Int64) async throws {
        try await database.withConnection { db in
            // One statement, so the check and the insert cannot be split by a concurrent revocation.
            let inserted = try await db.raw("""
                INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at)
                SELECT \(bind: id), \(bind: userID), \(bind: familyID), \(bind: tokenHash), \(bind: createdAt), \(bind: expiresAt)
                WHERE NOT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = \(bind: familyID) AND revoked_at IS NOT NULL)
                RETURNING id
                """).first()
            if inserted == nil { throw StoreError.conflict }
        }
    }

    public func consume(tokenHash: String, now: Int64) async throws -> RefreshRotation {
        try await database.transaction { db in
            let lock = database.dialect == .postgres ? " FOR UPDATE" : ""
            guard let row = try await db.raw(SQLQueryString(
                "SELECT user_id, family_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = "
            ) + "\(bind: tokenHash)" + SQLQueryString(lock)).first() else {
                return .invalid
            }
            let familyID = try row.string("family_id")
            if try row.optionalInt64("used_at") != nil || row.optionalInt64("revoked_at") != nil {
                try await db.raw("""
                    UPDATE refresh_tokens SET revoked_at = \(bind: now)
                    WHERE family_id = \(bind: familyID) AND revoked_at IS NULL
                    """).run()
                return .reused
            }
            guard try row.int64("expires_at") > now else { return .invalid }
            try await db.raw("UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
            return .rotated(userID: try row.string("user_id"), familyID: familyID)
        }
    }

    public func revokeAll(userID: String, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE refresh_tokens SET revoked_at = \(bind: at) WHERE user_id = \(bind: userID) AND revoked_at IS NULL
                """).run()
        }
    }
}
