import SQLKit

/// A saved `cache:` archive: one per account, repository and branch.
public struct CacheRecord: Sendable, Equatable {
    public var userID: String
    public var repository: String
    public var branch: String
    public var size: Int64
    public var storageKey: String
    public var updatedAt: Int64

    public init(userID: String, repository: String, branch: String, size: Int64, storageKey: String, updatedAt: Int64) {
        self.userID = userID
        self.repository = repository
        self.branch = branch
        self.size = size
        self.storageKey = storageKey
        self.updatedAt = updatedAt
    }
}

/// Where each account's caches are. Every call takes the account: a cache is never another account's.
///
/// Contract: `save` replaces the entry of the same account, repository and branch and returns the storage
/// key it replaced (the caller deletes those bytes once nothing reads them), nil when there was none.
public protocol CacheRepository: Sendable {
    func find(userID: String, repository: String, branch: String) async throws -> CacheRecord?
    func save(_ cache: CacheRecord) async throws -> String?
}

public struct SQLCacheRepository: CacheRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func find(userID: String, repository: String, branch: String) async throws -> CacheRecord? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM caches WHERE user_id = \(bind: userID) AND repository = \(bind: repository) AND branch = \(bind: branch)
                """).first().map { row in
                CacheRecord(
                    userID: try row.string("user_id"), repository: try row.string("repository"), branch: try row.string("branch"),
                    size: try row.int64("size"), storageKey: try row.string("storage_key"), updatedAt: try row.int64("updated_at"))
            }
        }
    }

    public func save(_ cache: CacheRecord) async throws -> String? {
        try await database.transaction { db in
            let old = try await db.raw("""
                SELECT storage_key FROM caches
                WHERE user_id = \(bind: cache.userID) AND repository = \(bind: cache.repository) AND branch = \(bind: cache.branch)
                """).first().map { try $0.string("storage_key") }
            try await db.raw("""
                DELETE FROM caches WHERE user_id = \(bind: cache.userID) AND repository = \(bind: cache.repository) AND branch = \(bind: cache.branch)
                """).run()
            try await db.raw("""
                INSERT INTO caches (user_id, repository, branch, size, storage_key, updated_at)
                VALUES (\(bind: cache.userID), \(bind: cache.repository), \(bind: cache.branch), \(bind: cache.size),
                        \(bind: cache.storageKey), \(bind: cache.updatedAt))
                """).run()
            return old
        }
    }
}
