import SQLKit

/// What the retention sweep removed from the database in one pass.
public struct PrunedRecords: Sendable, Equatable {
    public var jobs = 0
    public var deliveries = 0
    public var statuses = 0

    public init(jobs: Int = 0, deliveries: Int = 0, statuses: Int = 0) {
        self.jobs = jobs
        self.deliveries = deliveries
        self.statuses = statuses
    }
}

/// Old bookkeeping rows, found and deleted in bounded batches so one sweep never holds the database long.
/// Every method is safe to call concurrently from several replicas (deleting a row twice is a no-op).
public protocol RetentionRepository: Sendable {
    /// Up to `limit` pipelines that ended before `cutoff` and whose logs are still kept.
    func pipelinesWithLogsEndedBefore(_ cutoff: Int64, limit: Int) async throws -> [String]
    /// Records that the pipeline's logs were deleted.
    func markLogsExpired(pipelineID: String, at: Int64) async throws
    /// Deletes finished jobs, answered deliveries and sent, superseded or abandoned statuses created before
    /// `cutoff`. Queued or running work is never touched.
    func pruneRecords(before cutoff: Int64) async throws -> PrunedRecords
}

public struct SQLRetentionRepository: RetentionRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func pipelinesWithLogsEndedBefore(_ cutoff: Int64, limit: Int) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT id FROM pipelines WHERE completed_at < \(bind: cutoff) AND logs_expired_at IS NULL
                ORDER BY completed_at LIMIT \(bind: limit)
                """).all().map { try $0.string("id") }
        }
    }

    public func markLogsExpired(pipelineID: String, at: Int64) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE pipelines SET logs_expired_at = \(bind: at) WHERE id = \(bind: pipelineID)").run()
        }
    }

    public func pruneRecords(before cutoff: Int64) async throws -> PrunedRecords {
        try await database.withConnection { db in
            // RETURNING counts the rows on both engines.
            let jobs = try await db.raw("""
                DELETE FROM jobs WHERE status = 'done' AND created_at < \(bind: cutoff) RETURNING id
                """).all().count
            let deliveries = try await db.raw("""
                DELETE FROM webhook_deliveries WHERE created_at < \(bind: cutoff) RETURNING delivery_id
                """).all().count
            let statuses = try await db.raw("""
                DELETE FROM status_outbox WHERE status IN ('delivered', 'superseded', 'failed') AND created_at < \(bind: cutoff)
                RETURNING id
                """).all().count
            return PrunedRecords(jobs: jobs, deliveries: deliveries, statuses: statuses)
        }
    }
}
