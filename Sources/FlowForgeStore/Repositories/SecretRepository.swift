import Foundation
import SQLKit

/// An account's secrets. Every read and write takes the account, so another account's secret looks exactly
/// like a missing one.
public protocol SecretRepository: Sendable {
    /// Inserts the secret; throws `StoreError.conflict` when the account already has a secret of that name
    /// in the same scope (the account, or the same repository).
    func create(_ secret: UserSecret) async throws
    /// The account's secrets of every scope, by name, the account-wide one first.
    func list(userID: String) async throws -> [UserSecret]
    /// The secrets a pipeline of `repositoryID` may see, by name: the account's, and the repository's
    /// (nil: only the account's). Both scopes are returned; the caller lets the repository's one win.
    func visible(userID: String, repositoryID: String?) async throws -> [UserSecret]
    /// Removes the secret of that name in that scope (nil: the account scope); false when there is none.
    /// Safe to call twice.
    func delete(userID: String, repositoryID: String?, name: String) async throws -> Bool
}

public struct SQLSecretRepository: SecretRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func create(_ secret: UserSecret) async throws {
        try await mapConflict {
            try await database.withConnection { db in
                try await db.raw("""
                    INSERT INTO secrets (id, user_id, repository_id, name, value_encrypted, pull_requests, created_at, updated_at)
                    VALUES (\(bind: secret.id), \(bind: secret.userID), \(bind: secret.repositoryID), \(bind: secret.name),
                            \(bind: secret.valueSealed), \(bind: secret.pullRequests ? 1 : 0), \(bind: secret.createdAt),
                            \(bind: secret.updatedAt))
                    """).run()
            }
        }
    }

    public func list(userID: String) async throws -> [UserSecret] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM secrets WHERE user_id = \(bind: userID)
                ORDER BY name, COALESCE(repository_id, ''), id
                """).all().map(Self.record)
        }
    }

    public func visible(userID: String, repositoryID: String?) async throws -> [UserSecret] {
        try await database.withConnection { db in
            if let repositoryID {
                return try await db.raw("""
                    SELECT * FROM secrets WHERE user_id = \(bind: userID)
                    AND (repository_id IS NULL OR repository_id = \(bind: repositoryID))
                    ORDER BY name, COALESCE(repository_id, ''), id
                    """).all().map(Self.record)
            }
            return try await db.raw("""
                SELECT * FROM secrets WHERE user_id = \(bind: userID) AND repository_id IS NULL ORDER BY name, id
                """).all().map(Self.record)
        }
    }

    public func delete(userID: String, repositoryID: String?, name: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                DELETE FROM secrets WHERE user_id = \(bind: userID) AND name = \(bind: name)
                AND COALESCE(repository_id, '') = \(bind: repositoryID ?? "") RETURNING id
                """).first() != nil
        }
    }

    static func record(_ row: any SQLRow) throws -> UserSecret {
        UserSecret(
            id: try row.string("id"), userID: try row.string("user_id"), repositoryID: try row.optionalString("repository_id"),
            name: try row.string("name"), valueSealed: try row.string("value_encrypted"),
            pullRequests: try row.int64("pull_requests") != 0, createdAt: try row.int64("created_at"),
            updatedAt: try row.int64("updated_at"))
    }
}
