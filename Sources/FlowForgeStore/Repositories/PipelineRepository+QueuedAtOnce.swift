import FlowForgeCore
import Foundation
import SQLKit

extension SQLPipelineRepository {
    /// PostgreSQL: `createQueued`'s delivery answer, run count, pipeline and job as one statement, one round
    /// trip instead of four. A transaction of a busy account's group waits for every statement of the members
    /// before it on one connection, so its round trips were most of a delivery's time.
    ///
    /// The parts depend on each other through their `RETURNING` rows, as the separate statements did: the run is
    /// counted only for a new delivery id, the pipeline is stored only when the run was counted under the
    /// quota, and the job only with the pipeline (the job's foreign key is checked at the end of the statement,
    /// when the pipeline row exists). False when the delivery id was answered before (nothing stored); throws
    /// `UsageLimitReached` when the quota refused the run, with the delivery's row still written: the caller's
    /// transaction (or savepoint) is what undoes it, as with the separate statements.
    static func insertQueuedAtOnce(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, quota: RunQuota?, now: String, on db: any SQLDatabase
    ) async throws -> Bool {
        let month = UsageMonth(millis: pipeline.createdAt)
        let newDelivery: Int64
        let queued: Int64
        if let delivery, let session = db as? PostgresSession {
            // A webhook's, by far the most frequent: the same statement, prepared once per connection.
            let statement = QueuedDeliveryStatement(pipeline: pipeline, delivery: delivery, quota: quota, jobID: UUID().uuidString.lowercased())
            guard let row = try await session.run(statement).first else { return false }
            (newDelivery, queued) = row
        } else {
            guard let row = try await dynamicStatement(pipeline, delivery: delivery, quota: quota, now: now, month: month, on: db) else { return false }
            (newDelivery, queued) = row
        }
        if newDelivery == 0 { return false }
        if queued == 1 { return true }
        // Refused by the quota: say which limit (the usage row is locked by now, so this reads what refused it).
        if let quota {
            for zeroOnly in [true, false] {
                if let refusal = try await SQLUsageRepository.refusal(
                    userID: pipeline.userID, month: month, quota: quota, zeroOnly: zeroOnly, on: db
                ) { throw refusal }
            }
        }
        throw NeitherStoredNorRefused()
    }

    /// `insertQueuedAtOnce`'s statement built for the case at hand (a pipeline from the API has no delivery),
    /// as SQLKit sends it; nil when it returned no row. Returns (new delivery count, queued job count).
    private static func dynamicStatement(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, quota: RunQuota?, now: String, month: UsageMonth,
        on db: any SQLDatabase
    ) async throws -> (Int64, Int64)? {
        var query: SQLQueryString = "WITH "
        // Without a delivery (a pipeline from the API) the run is counted unconditionally.
        var counts: SQLQueryString = "TRUE"
        if let delivery {
            query = query + """
                delivery AS (
                    INSERT INTO webhook_deliveries (provider, delivery_id, repository_id, status_code, response, created_at)
                    VALUES (\(bind: delivery.provider), \(bind: delivery.deliveryID), \(bind: delivery.repositoryID),
                            \(bind: delivery.statusCode), \(bind: delivery.response), \(bind: delivery.createdAt))
                    ON CONFLICT (provider, delivery_id) DO NOTHING
                    RETURNING 1 AS new
                ),
                """
            counts = "EXISTS (SELECT 1 FROM delivery)"
        }
        // A limit of 0 refuses even the month's first run, which the upsert's insert branch cannot.
        if let quota, quota.pipelineRuns == 0 || quota.computeMinutes == 0 { counts = counts + " AND FALSE" }
        var upsert: SQLQueryString = """
             counted AS (
                INSERT INTO usage (user_id, period, pipeline_runs, compute_minutes)
                SELECT \(bind: pipeline.userID), \(bind: month.id), 1, 0 WHERE
            """
        upsert = upsert + " " + counts + " ON CONFLICT (user_id, period) DO UPDATE SET pipeline_runs = usage.pipeline_runs + 1"
        var conditions: [SQLQueryString] = []
        if let runs = quota?.pipelineRuns { conditions.append("usage.pipeline_runs < \(bind: runs)") }
        if let minutes = quota?.computeMinutes { conditions.append("usage.compute_minutes < \(bind: minutes)") }
        if !conditions.isEmpty { upsert = upsert + " WHERE " + conditions.joined(separator: " AND ") }
        let row = try columnsAndValues(pipeline)
        query = query + upsert + """
                 RETURNING 1 AS counted
            ), stored AS (
                INSERT INTO pipelines (
            """
        query = query + row.columns + ") SELECT " + row.values + """
                 FROM counted RETURNING id
            ), queued AS (
                INSERT INTO jobs (id, pipeline_id, status, attempts, available_at, created_at)
                SELECT \(bind: UUID().uuidString.lowercased()), id, 'queued', 0, \(unsafeRaw: now), \(bind: pipeline.createdAt) FROM stored
                RETURNING 1 AS queued
            )
            SELECT
            """
        query = query + (delivery == nil ? " 1" : " (SELECT COUNT(*) FROM delivery)") + " AS new_delivery, (SELECT COUNT(*) FROM queued) AS queued"
        guard let result = try await db.raw(query).first() else { return nil }
        return (try result.int64("new_delivery"), try result.int64("queued"))
    }
}

/// The quota's upsert counted no run, yet no limit of the quota is reached: the usage row changed under the
/// statement (it cannot, while the statement holds its lock), so nothing is stored rather than a pipeline
/// left uncounted.
struct NeitherStoredNorRefused: Error, CustomStringConvertible {
    var description: String { "the pipeline was neither counted nor refused by its account's quota; nothing was stored" }
}
