import Foundation
import SQLKit

public enum StoreError: Error, Equatable {
    /// A unique constraint refused the write (e.g. the email is taken).
    case conflict
    /// A write fenced by a job claim found that the claim no longer holds the job: its lease expired and
    /// another worker claimed it, or the job was completed or handed back. The write was not made.
    case leaseLost
}

/// Accounts. Lookups by email expect the lower-cased form.
public protocol UserRepository: Sendable {
    /// Inserts the account; throws `StoreError.conflict` when the email is already registered.
    func create(_ user: UserRecord) async throws
    func find(id: String) async throws -> UserRecord?
    func find(email: String) async throws -> UserRecord?
    /// Sets the email (and `updated_at`) only, so a profile edit cannot write back a password hash, plan or
    /// token generation it read before a concurrent change; throws `StoreError.conflict` when the email is taken.
    func updateEmail(id: String, email: String, at: Int64) async throws
    /// Sets a new password hash and ends every session of the account in one transaction: the token
    /// generation rises by one (so every access token issued before is refused) and every refresh token is
    /// revoked. Returns the new generation, or nil when the account does not exist. Calling it twice ends the
    /// sessions issued in between as well.
    func changePassword(id: String, passwordHash: String, at: Int64) async throws -> Int64?
}

public struct SQLUserRepository: UserRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ user: UserRecord) async throws {
        try await mapConflict {
            try await database.withConnection { db in
                try await db.raw("""
                    INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
                    VALUES (\(bind: user.id), \(bind: user.email), \(bind: user.passwordHash), \(bind: user.plan),
                            \(bind: user.createdAt), \(bind: user.updatedAt))
                    """).run()
            }
        }
    }

    public func find(id: String) async throws -> UserRecord? {
        try await first("SELECT * FROM users WHERE id = \(bind: id)")
    }

    public func find(email: String) async throws -> UserRecord? {
        try await first("SELECT * FROM users WHERE email = \(bind: email)")
    }

    public func updateEmail(id: String, email: String, at: Int64) async throws {
        try await mapConflict {
            try await database.withConnection { db in
                try await db.raw("""
                    UPDATE users SET email = \(bind: email), updated_at = \(bind: at) WHERE id = \(bind: id)
                    """).run()
            }
        }
    }

    public func changePassword(id: String, passwordHash: String, at: Int64) async throws -> Int64? {
        try await database.transaction { db in
            guard let row = try await db.raw("""
                UPDATE users SET password_hash = \(bind: passwordHash), updated_at = \(bind: at),
                    token_generation = token_generation + 1
                WHERE id = \(bind: id) RETURNING token_generation
                """).first() else { return nil }
            try await db.raw("""
                UPDATE refresh_tokens SET revoked_at = \(bind: at), revoked_reason = 'password_change'
                WHERE user_id = \(bind: id) AND revoked_at IS NULL
                """).run()
            return try row.int64("token_generation")
        }
    }

    private func first(_ query: SQLQueryString) async throws -> UserRecord? {
        try await database.read { db in
            guard let row = try await db.raw(query).first() else { return nil }
            return UserRecord(
                id: try row.string("id"), email: try row.string("email"),
                passwordHash: try row.string("password_hash"), plan: try row.string("plan"),
                createdAt: try row.int64("created_at"), updatedAt: try row.int64("updated_at"),
                tokenGeneration: try row.int64("token_generation")
            )
        }
    }
}

