import Foundation
import SQLKit

/// API keys of accounts. Keys are found by their HMAC (`keyHash`), never by the key itself.
public protocol APIKeyRepository: Sendable {
    func create(_ key: APIKeyRecord, keyHash: String) async throws
    /// The account's keys that are not revoked, newest first.
    func list(userID: String) async throws -> [APIKeyRecord]
    /// The unrevoked key with this hash, or nil.
    func findActive(keyHash: String) async throws -> APIKeyRecord?
    /// Revokes the account's key; false when it does not exist, belongs to someone else or is already revoked.
    func revoke(id: String, userID: String, at: Int64) async throws -> Bool
    /// Records a use. Cheap and idempotent; callers may skip it when the last recorded use is recent.
    func touch(id: String, at: Int64) async throws
}

public struct SQLAPIKeyRepository: APIKeyRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ key: APIKeyRecord, keyHash: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at)
                VALUES (\(bind: key.id), \(bind: key.userID), \(bind: key.name), \(bind: key.prefix),
                        \(bind: keyHash), \(bind: key.createdAt))
                """).run()
        }
    }

    public func list(userID: String) async throws -> [APIKeyRecord] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM api_keys WHERE user_id = \(bind: userID) AND revoked_at IS NULL
                ORDER BY created_at DESC, id DESC
                """).all().map(Self.record)
        }
    }

    public func findActive(keyHash: String) async throws -> APIKeyRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM api_keys WHERE key_hash = \(bind: keyHash) AND revoked_at IS NULL")
                .first().map(Self.record)
        }
    }

    public func revoke(id: String, userID: String, at: Int64) async throws -> Bool {
        try await database.withConnection { db in
            let row = try await db.raw("""
                UPDATE api_keys SET revoked_at = \(bind: at)
                WHERE id = \(bind: id) AND user_id = \(bind: userID) AND revoked_at IS NULL
                RETURNING id
                """).first()
            return row != nil
        }
    }

    public func touch(id: String, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE api_keys SET last_used_at = \(bind: at) WHERE id = \(bind: id)").run()
        }
    }

    static func record(_ row: any SQLRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row.string("id"), userID: try row.string("user_id"), name: try row.string("name"),
            prefix: try row.string("prefix"), createdAt: try row.int64("created_at"),
            lastUsedAt: try row.optionalInt64("last_used_at"), revokedAt: try row.optionalInt64("revoked_at")
        )
    }
}
