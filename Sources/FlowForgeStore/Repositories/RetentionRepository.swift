import SQLKit

/// What the retention sweep removed from the database in one pass.
public struct PrunedRecords: Sendable, Equatable {
    public var jobs = 0
    public var deliveries = 0
    public var statuses = 0
    /// Uploaded archives of pipelines that ended (or never got queued).
    public var sources = 0

    public init(jobs: Int = 0, deliveries: Int = 0, statuses: Int = 0, sources: Int = 0) {
        self.jobs = jobs
        self.deliveries = deliveries
        self.statuses = statuses
        self.sources = sources
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
    /// `cutoff`. Queued or running work is never touched. Also deletes the uploaded archives of ended pipelines
    /// (a run removes its own; one canceled while queued does not run), and archives an hour old whose
    /// pipeline never got queued.
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
        var pruned = PrunedRecords()
        // A thousand rows a statement: the first sweep after an upgrade must not hold SQLite's one writer (or
        // PostgreSQL's row locks) for long, nor return every id at once.
        pruned.jobs = try await pruneInBatches("""
            DELETE FROM jobs WHERE id IN (
                SELECT id FROM jobs WHERE status = 'done' AND created_at < \(bind: cutoff) LIMIT \(bind: Self.batch))
            RETURNING id
            """)
        pruned.deliveries = try await pruneInBatches("""
            DELETE FROM webhook_deliveries WHERE (provider, delivery_id) IN (
                SELECT provider, delivery_id FROM webhook_deliveries WHERE created_at < \(bind: cutoff) LIMIT \(bind: Self.batch))
            RETURNING delivery_id
            """)
        pruned.statuses = try await pruneInBatches("""
            DELETE FROM status_outbox WHERE id IN (
                SELECT id FROM status_outbox
                WHERE status IN ('delivered', 'superseded', 'failed') AND created_at < \(bind: cutoff) LIMIT \(bind: Self.batch))
            RETURNING id
            """)
        let anHourAgo = Clock.nowMillis() - 3_600_000
        pruned.sources = try await pruneInBatches("""
            DELETE FROM pipeline_sources WHERE pipeline_id IN (
                SELECT s.pipeline_id FROM pipeline_sources s LEFT JOIN pipelines p ON p.id = s.pipeline_id
                WHERE p.completed_at IS NOT NULL OR (p.id IS NULL AND s.created_at < \(bind: anHourAgo)) LIMIT \(bind: Self.batch))
            RETURNING pipeline_id
            """)
        return pruned
    }

    static let batch = 1_000

    /// Runs `delete` (which removes at most `batch` rows) until it removes fewer; returns how many in all.
    private func pruneInBatches(_ delete: SQLQueryString) async throws -> Int {
        var total = 0
        while true {
            let removed = try await database.withConnection { db in try await db.raw(delete).all().count }
            total += removed
            if removed < Self.batch { return total }
        }
    }
}
