import SQLKit

/// A file a step kept with `artifacts:`, as stored: its bytes are in the artifact store under `storageKey`.
public struct ArtifactRecord: Sendable, Equatable {
    public var id: String
    public var pipelineID: String
    public var userID: String
    public var step: String
    /// The file's path in the workspace, `/`-separated.
    public var name: String
    public var size: Int64
    /// Lower-case hex SHA-256 of the bytes.
    public var sha256: String
    public var storageKey: String
    public var createdAt: Int64

    public init(id: String, pipelineID: String, userID: String, step: String, name: String, size: Int64, sha256: String, storageKey: String, createdAt: Int64) {
        self.id = id
        self.pipelineID = pipelineID
        self.userID = userID
        self.step = step
        self.name = name
        self.size = size
        self.sha256 = sha256
        self.storageKey = storageKey
        self.createdAt = createdAt
    }
}

/// The artifacts' metadata. Every read takes the account as well as the pipeline, so another account's
/// pipeline has none.
///
/// Contract: `record` replaces an artifact of the same pipeline and name and returns the storage key of
/// the one it replaced (the caller deletes those bytes), nil when there was none. `removeAll` is safe to call
/// twice and from several replicas; it returns the storage keys of the rows it deleted.
public protocol ArtifactRepository: Sendable {
    func record(_ artifact: ArtifactRecord) async throws -> String?
    /// The pipeline's artifacts, by name.
    func list(pipelineID: String, userID: String) async throws -> [ArtifactRecord]
    func find(pipelineID: String, userID: String, name: String) async throws -> ArtifactRecord?
    /// The bytes all the account's kept artifacts take.
    func totalBytes(userID: String) async throws -> Int64
    func removeAll(pipelineID: String) async throws -> [String]
}

public struct SQLArtifactRepository: ArtifactRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func record(_ artifact: ArtifactRecord) async throws -> String? {
        try await database.transaction { db in
            let old = try await db.raw("""
                SELECT storage_key FROM artifacts WHERE pipeline_id = \(bind: artifact.pipelineID) AND name = \(bind: artifact.name)
                """).first().map { try $0.string("storage_key") }
            try await db.raw("DELETE FROM artifacts WHERE pipeline_id = \(bind: artifact.pipelineID) AND name = \(bind: artifact.name)").run()
            try await db.raw("""
                INSERT INTO artifacts (id, pipeline_id, user_id, step, name, size, sha256, storage_key, created_at)
                VALUES (\(bind: artifact.id), \(bind: artifact.pipelineID), \(bind: artifact.userID), \(bind: artifact.step),
                        \(bind: artifact.name), \(bind: artifact.size), \(bind: artifact.sha256), \(bind: artifact.storageKey),
                        \(bind: artifact.createdAt))
                """).run()
            return old
        }
    }

    public func list(pipelineID: String, userID: String) async throws -> [ArtifactRecord] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM artifacts WHERE pipeline_id = \(bind: pipelineID) AND user_id = \(bind: userID) ORDER BY name
                """).all().map(Self.artifact)
        }
    }

    public func find(pipelineID: String, userID: String, name: String) async throws -> ArtifactRecord? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT * FROM artifacts WHERE pipeline_id = \(bind: pipelineID) AND user_id = \(bind: userID) AND name = \(bind: name)
                """).first().map(Self.artifact)
        }
    }

    public func totalBytes(userID: String) async throws -> Int64 {
        try await database.withConnection { db in
            try await db.raw("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS total FROM artifacts WHERE user_id = \(bind: userID)")
                .first().map { try $0.int64("total") } ?? 0
        }
    }

    public func removeAll(pipelineID: String) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM artifacts WHERE pipeline_id = \(bind: pipelineID) RETURNING storage_key")
                .all().map { try $0.string("storage_key") }
        }
    }

    static func artifact(_ row: any SQLRow) throws -> ArtifactRecord {
        ArtifactRecord(
            id: try row.string("id"), pipelineID: try row.string("pipeline_id"), userID: try row.string("user_id"),
            step: try row.string("step"), name: try row.string("name"), size: try row.int64("size"),
            sha256: try row.string("sha256"), storageKey: try row.string("storage_key"), createdAt: try row.int64("created_at"))
    }
}
