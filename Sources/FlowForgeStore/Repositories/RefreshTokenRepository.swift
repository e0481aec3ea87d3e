import Foundation
import SQLKit

/// What presenting a refresh token led to.
public enum RefreshRotation: Sendable, Equatable {
    /// The token was valid: it is now used, and its successor of `familyID` has been stored. `generation` is
    /// the account's token generation read under the account row's share lock, for the new access token.
    case rotated(userID: String, familyID: String, generation: Int64)
    /// The token was already used: its whole family has been revoked (likely theft).
    case reused
    /// The token was not used, but its family was revoked because another token of it was reused.
    case familyRevoked
    /// The token was revoked for another reason (a password change ends every session) or before reasons
    /// were recorded.
    case revoked
    /// Unknown, expired, or issued under an earlier token generation (a password change since).
    case invalid
}

/// The token that replaces a presented one.
public struct RefreshSuccessor: Sendable {
    public let id: String
    public let tokenHash: String
    public let expiresAt: Int64

    public init(id: String, tokenHash: String, expiresAt: Int64) {
        self.id = id
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}

/// Rotating refresh tokens, found by the SHA-256 of the token.
public protocol RefreshTokenRepository: Sendable {
    /// Stores the first token of a new family (a sign-in), recording the account's token `generation`.
    func create(id: String, userID: String, familyID: String, tokenHash: String, generation: Int64, createdAt: Int64, expiresAt: Int64) async throws
    /// Uses the presented token and stores `successor` in the same family, in one transaction that first takes
    /// a share lock on the account row: a password change (which updates that row) either finished before —
    /// then the token is refused, being revoked or of an older generation — or waits until this commits and
    /// then revokes the successor too. Two concurrent presentations of one token cannot both rotate.
    func rotate(tokenHash: String, successor: RefreshSuccessor, now: Int64) async throws -> RefreshRotation
    /// Revokes every token of the account.
    func revokeAll(userID: String, at: Int64) async throws
}

public struct SQLRefreshTokenRepository: RefreshTokenRepository {
    let database: Database
    /// Runs inside `rotate`'s transaction after the presented token was marked used and before its successor
    /// is stored: lets tests put a concurrent password change exactly into that window. Nil in production.
    let betweenUseAndSuccessor: (@Sendable () async throws -> Void)?

    public init(database: Database, betweenUseAndSuccessor: (@Sendable () async throws -> Void)? = nil) {
        self.database = database
        self.betweenUseAndSuccessor = betweenUseAndSuccessor
    }

    public func create(id: String, userID: String, familyID: String, tokenHash: String, generation: Int64, createdAt: Int64, expiresAt: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, token_generation)
                VALUES (\(bind: id), \(bind: userID), \(bind: familyID), \(bind: tokenHash), \(bind: createdAt), \(bind: expiresAt), \(bind: generation))
                """).run()
        }
    }

    public func rotate(tokenHash: String, successor: RefreshSuccessor, now: Int64) async throws -> RefreshRotation {
        let postgres = database.dialect == .postgres
        let hook = betweenUseAndSuccessor
        return try await database.transaction { db in
            // The account row first, shared: under read committed a password change's uncommitted revocation
            // is invisible to the statements below, but its UPDATE of this row is not — FOR SHARE waits for it
            // to commit (and then reads the new generation), or makes it wait for this transaction. SQLite
            // transactions are IMMEDIATE, so writers are serialised already.
            let lockAccount = postgres ? " FOR SHARE OF u" : ""
            guard let account = try await db.raw(SQLQueryString("""
                SELECT u.id AS user_id, u.token_generation FROM users u JOIN refresh_tokens r ON r.user_id = u.id
                WHERE r.token_hash = 
                """) + "\(bind: tokenHash)" + SQLQueryString(lockAccount)).first() else {
                return .invalid
            }
            let userID = try account.string("user_id")
            let generation = try account.int64("token_generation")
            let lockToken = postgres ? " FOR UPDATE" : ""
            guard let row = try await db.raw(SQLQueryString(
                "SELECT family_id, expires_at, used_at, revoked_at, revoked_reason, token_generation FROM refresh_tokens WHERE token_hash = "
            ) + "\(bind: tokenHash)" + SQLQueryString(lockToken)).first() else {
                return .invalid
            }
            let familyID = try row.string("family_id")
            if try row.optionalInt64("used_at") != nil {
                try await revokeFamily(familyID, at: now, reason: "reuse", db)
                return .reused
            }
            if try row.optionalInt64("revoked_at") != nil {
                // Already revoked with its family: nothing more to end, only the reason to tell.
                return try row.optionalString("revoked_reason") == "reuse" ? .familyRevoked : .revoked
            }
            guard try row.int64("expires_at") > now else { return .invalid }
            if let issuedUnder = try row.optionalInt64("token_generation"), issuedUnder != generation {
                // A password change since this token was issued: the family is over.
                try await revokeFamily(familyID, at: now, reason: "password_change", db)
                return .invalid
            }
            try await db.raw("UPDATE refresh_tokens SET used_at = \(bind: now) WHERE token_hash = \(bind: tokenHash)").run()
            if let hook { try await hook() }
            try await db.raw("""
                INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at, token_generation)
                VALUES (\(bind: successor.id), \(bind: userID), \(bind: familyID), \(bind: successor.tokenHash), \(bind: now),
                        \(bind: successor.expiresAt), \(bind: generation))
                """).run()
            return .rotated(userID: userID, familyID: familyID, generation: generation)
        }
    }

    private func revokeFamily(_ familyID: String, at now: Int64, reason: String, _ db: any SQLDatabase) async throws {
        try await db.raw("""
            UPDATE refresh_tokens SET revoked_at = \(bind: now), revoked_reason = \(bind: reason)
            WHERE family_id = \(bind: familyID) AND revoked_at IS NULL
            """).run()
    }

    public func revokeAll(userID: String, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE refresh_tokens SET revoked_at = \(bind: at) WHERE user_id = \(bind: userID) AND revoked_at IS NULL
                """).run()
        }
    }
}
