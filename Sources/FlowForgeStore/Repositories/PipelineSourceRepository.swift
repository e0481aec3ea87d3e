import Foundation
import SQLKit

/// The archive a pipeline was uploaded with, kept from the upload until the pipeline ends.
///
/// Contract: `store` happens before the pipeline is queued (so a worker never claims a pipeline whose
/// source is missing); `content` returns exactly the stored bytes, or nil when none is kept (never stored,
/// or removed); `remove` is idempotent, and safe from several replicas at once.
public protocol PipelineSourceRepository: Sendable {
    func store(pipelineID: String, fileName: String, content: [UInt8], at: Int64) async throws
    func content(pipelineID: String) async throws -> (fileName: String, bytes: [UInt8])?
    func remove(pipelineID: String) async throws
}

public struct SQLPipelineSourceRepository: PipelineSourceRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func store(pipelineID: String, fileName: String, content: [UInt8], at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO pipeline_sources (pipeline_id, file_name, content, created_at)
                VALUES (\(bind: pipelineID), \(bind: fileName), \(bind: Data(content)), \(bind: at))
                """).run()
        }
    }

    public func content(pipelineID: String) async throws -> (fileName: String, bytes: [UInt8])? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT file_name, content FROM pipeline_sources WHERE pipeline_id = \(bind: pipelineID)").first() else {
                return nil
            }
            return (try row.decode(column: "file_name", as: String.self), Array(try row.decode(column: "content", as: Data.self)))
        }
    }

    public func remove(pipelineID: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM pipeline_sources WHERE pipeline_id = \(bind: pipelineID)").run()
        }
    }
}
