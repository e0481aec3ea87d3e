import Foundation
import SQLKit

/// A browser session as stored: never the cookie's token, only its SHA-256.
public struct WebSessionRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var csrfToken: String
    public var tokenGeneration: Int64
    public var createdAt: Int64
    public var expiresAt: Int64

    public init(id: String, userID: String, csrfToken: String, tokenGeneration: Int64, createdAt: Int64, expiresAt: Int64) {
        self.id = id
        self.userID = userID
        self.csrfToken = csrfToken
        self.tokenGeneration = tokenGeneration
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// The web app's sessions, found by the hash of the cookie's token.
public protocol WebSessionRepository: Sendable {
    func create(_ session: WebSessionRecord, tokenHash: String) async throws
    /// The session with this token hash that has not expired at `now` and whose generation still equals its
    /// account's token generation (a password change raises the account's and so ends the session); nil otherwise.
    func findLive(tokenHash: String, now: Int64) async throws -> WebSessionRecord?
    /// Ends the session. Safe to call twice and for an unknown hash.
    func delete(tokenHash: String) async throws
    /// Ends every session of the account (used when its password changes through the web app).
    func deleteAll(userID: String) async throws
}

public struct SQLWebSessionRepository: WebSessionRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ session: WebSessionRecord, tokenHash: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO web_sessions (id, token_hash, user_id, csrf_token, token_generation, created_at, expires_at)
                VALUES (\(bind: session.id), \(bind: tokenHash), \(bind: session.userID), \(bind: session.csrfToken),
                        \(bind: session.tokenGeneration), \(bind: session.createdAt), \(bind: session.expiresAt))
                """).run()
        }
    }

    public func findLive(tokenHash: String, now: Int64) async throws -> WebSessionRecord? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT s.* FROM web_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.token_hash = \(bind: tokenHash) AND s.expires_at > \(bind: now)
                  AND s.token_generation = u.token_generation
                """).first().map { row in
                WebSessionRecord(
                    id: try row.string("id"), userID: try row.string("user_id"), csrfToken: try row.string("csrf_token"),
                    tokenGeneration: try row.int64("token_generation"), createdAt: try row.int64("created_at"),
                    expiresAt: try row.int64("expires_at")
                )
            }
        }
    }

    public func delete(tokenHash: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM web_sessions WHERE token_hash = \(bind: tokenHash)").run()
        }
    }

    public func deleteAll(userID: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM web_sessions WHERE user_id = \(bind: userID)").run()
        }
    }
}
