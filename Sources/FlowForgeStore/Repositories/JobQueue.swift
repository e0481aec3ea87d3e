import Foundation
import SQLKit

/// A job a worker holds under a lease.
public struct ClaimedJob: Sendable, Equatable {
    public var id: String
    public var pipelineID: String
    /// 1 on the first claim; more when an earlier worker's lease expired (it died or hung).
    public var attempt: Int
}

/// The durable pipeline queue. A job is claimed with a lease that its worker renews while it runs; a job
/// whose lease expired can be claimed again by any worker, so a dead worker loses no pipeline.
public protocol JobQueue: Sendable {
    /// Claims the oldest queued job, or one whose lease expired, for `owner` until `now + lease`.
    /// Two workers never claim the same job (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
    func claim(owner: String, now: Int64, lease: Int64) async throws -> ClaimedJob?
    /// Extends the lease; false when `owner` no longer holds the job (another worker took it over).
    func renew(jobID: String, owner: String, until: Int64) async throws -> Bool
    /// Marks the job done. Safe to call twice.
    func complete(jobID: String, owner: String) async throws
}

public struct SQLJobQueue: JobQueue {
    let database: Database

    public init(database: Database) { self.database = database }

    public func claim(owner: String, now: Int64, lease: Int64) async throws -> ClaimedJob? {
        let lock = database.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let pick = SQLQueryString("""
            SELECT id FROM jobs
            WHERE (status = 'queued' AND available_at <= 
            """) + "\(bind: now)" + ") OR (status = 'running' AND lease_expires_at < " + "\(bind: now)" + ")"
            + SQLQueryString(" ORDER BY created_at LIMIT 1\(lock)")
        let query = SQLQueryString("UPDATE jobs SET status = 'running', lease_owner = ") + "\(bind: owner)"
            + ", lease_expires_at = " + "\(bind: now + lease)" + ", attempts = attempts + 1 WHERE id = ("
            + pick + ") RETURNING id, pipeline_id, attempts"
        return try await database.transaction { db in
            guard let row = try await db.raw(query).first() else { return nil }
            return ClaimedJob(id: try row.string("id"), pipelineID: try row.string("pipeline_id"), attempt: Int(try row.int64("attempts")))
        }
    }

    public func renew(jobID: String, owner: String, until: Int64) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE jobs SET lease_expires_at = \(bind: until)
                WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner) AND status = 'running'
                RETURNING id
                """).first() != nil
        }
    }

    public func complete(jobID: String, owner: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE jobs SET status = 'done', lease_expires_at = NULL WHERE id = \(bind: jobID) AND lease_owner = \(bind: owner)
                """).run()
        }
    }
}
