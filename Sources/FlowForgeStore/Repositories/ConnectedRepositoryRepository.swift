import Foundation
import SQLKit

/// Repositories connected to accounts. Reads that take a `userID` only ever see that account's rows, so
/// another account's repository looks exactly like a missing one.
public protocol ConnectedRepositoryRepository: Sendable {
    /// Inserts the repository; throws `StoreError.conflict` when the same account already connected
    /// `provider` + `fullName`. Other accounts may connect the same name: a name connected by one account
    /// must not block the account that really owns it, and each connection has its own webhook secret.
    func create(_ repository: ConnectedRepository) async throws
    /// The account's repositories, newest first.
    func list(userID: String) async throws -> [ConnectedRepository]
    func find(id: String, userID: String) async throws -> ConnectedRepository?
    /// Any account's repository by id (workers and status posting, which act for the owner).
    func find(id: String) async throws -> ConnectedRepository?
    /// Every account's connection of the repository a webhook names (matched as `RepositoryName` says),
    /// oldest first; empty when none is connected. The delivery's signature tells which one it is for.
    /// Each comes with its owner's `ownerPlan`, so the delivery's plan check needs no read of its own.
    func connections(provider: String, fullName: String) async throws -> [ConnectedRepository]
    /// Removes the account's repository; false when it does not exist or belongs to someone else.
    /// Its pipelines stay (their `repository_id` becomes null). Safe to call twice.
    func delete(id: String, userID: String) async throws -> Bool
    /// Turns auto-cancel on or off for the account's repository; returns it as it is now, or nil when it
    /// does not exist or belongs to someone else. Safe to call twice.
    func setAutoCancel(id: String, userID: String, enabled: Bool) async throws -> ConnectedRepository?
}

public struct SQLConnectedRepositoryRepository: ConnectedRepositoryRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ repository: ConnectedRepository) async throws {
        try await mapConflict {
            try await database.withConnection { db in
                try await db.raw("""
                    INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted,
                                              access_token_encrypted, created_at, access_verified_at)
                    VALUES (\(bind: repository.id), \(bind: repository.userID), \(bind: repository.provider),
                            \(bind: RepositoryName.key(repository.fullName, provider: repository.provider)),
                            \(bind: repository.cloneURL), \(bind: repository.webhookSecretSealed),
                            \(bind: repository.accessTokenSealed), \(bind: repository.createdAt), \(bind: repository.accessVerifiedAt))
                    """).run()
            }
        }
    }

    public func list(userID: String) async throws -> [ConnectedRepository] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM repositories WHERE user_id = \(bind: userID) ORDER BY created_at DESC, id DESC
                """).all().map(Self.record)
        }
    }

    public func find(id: String, userID: String) async throws -> ConnectedRepository? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM repositories WHERE id = \(bind: id) AND user_id = \(bind: userID)")
                .first().map(Self.record)
        }
    }

    public func find(id: String) async throws -> ConnectedRepository? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM repositories WHERE id = \(bind: id)").first().map(Self.record)
        }
    }

    public func connections(provider: String, fullName: String) async throws -> [ConnectedRepository] {
        // Names are stored in their `RepositoryName.key` form, so an equality on the key is the case rule and
        // can use the (provider, full_name) index.
        let key = RepositoryName.key(fullName, provider: provider)
        let withPlan: @Sendable (any SQLRow) throws -> ConnectedRepository = { row in
            var record = try Self.record(row)
            record.ownerPlan = try row.optionalString("owner_plan")
            return record
        }
        return try await database.read { db in
            if let session = db as? PostgresSession {
                // Every webhook delivery asks this: prepared once per connection on PostgreSQL.
                return try await session.run(WebhookLookupStatement(provider: provider, key: key)).map { try withPlan($0.sql()) }
            }
            return try await db.raw("""
                \(unsafeRaw: WebhookLookupStatement.selection) WHERE r.provider = \(bind: provider) AND r.full_name = \(bind: key) \(unsafeRaw: WebhookLookupStatement.order)
                """).all().map(withPlan)
        }
    }

    public func delete(id: String, userID: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                DELETE FROM repositories WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id
                """).first() != nil
        }
    }

    public func setAutoCancel(id: String, userID: String, enabled: Bool) async throws -> ConnectedRepository? {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE repositories SET auto_cancel = \(bind: enabled ? 1 : 0) WHERE id = \(bind: id) AND user_id = \(bind: userID)
                """).run()
            return try await db.raw("SELECT * FROM repositories WHERE id = \(bind: id) AND user_id = \(bind: userID)")
                .first().map(Self.record)
        }
    }

    static func record(_ row: any SQLRow) throws -> ConnectedRepository {
        var record = ConnectedRepository(
            id: try row.string("id"), userID: try row.string("user_id"), provider: try row.string("provider"),
            fullName: try row.string("full_name"), cloneURL: try row.string("clone_url"),
            webhookSecretSealed: try row.string("webhook_secret_encrypted"),
            accessTokenSealed: try row.optionalString("access_token_encrypted"), createdAt: try row.int64("created_at"),
            accessVerifiedAt: try row.optionalInt64("access_verified_at")
        )
        record.autoCancel = try row.optionalInt64("auto_cancel").map { $0 != 0 } ?? true
        record.publicBadge = try row.optionalInt64("public_badge").map { $0 != 0 } ?? false
        record.defaultBranch = try row.optionalString("default_branch")
        return record
    }
}
