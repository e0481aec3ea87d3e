import FlowForgeCore
import Foundation
import PostgresKit

/// PostgreSQL: `createQueued`'s delivery answer, run count, pipeline and job as one statement, one round trip
/// instead of four. A busy account's group waits for every statement of the members before it on one
/// connection, so its round trips were most of a delivery's time.
///
/// The parts depend on each other through their `RETURNING` rows, as separate statements would: the run is
/// counted only for a new delivery id (or when there is no delivery, a pipeline from the API), the pipeline is
/// stored only when the run was counted under the quota, and the job only with the pipeline (its foreign key is
/// checked at the end of the statement, when the pipeline row exists).
///
/// One text for every case, so that it can be a named prepared statement, parsed, analysed and planned once per
/// connection (a profile under webhook load had that at close to half of the backends' time): no delivery is a
/// NULL `$1`, an absent limit a NULL its condition lets through, and a limit of 0 (which refuses the month's
/// first run, which the upsert's insert branch cannot) is `$9 = false`. Every parameter is cast in the text, so
/// its type never depends on a value or on PostgreSQL's inference. The job becomes available by the database's
/// clock, written out as `Database.nowMillisSQL` writes it for PostgreSQL (a static text cannot ask it).
struct QueuedPipelineStatement: PostgresPreparedStatement {
    typealias Row = (Int64, Int64)

    static let name = "flowforge_queued_pipeline_v1"

    static let sql = """
        WITH delivery AS (
            INSERT INTO webhook_deliveries (provider, delivery_id, repository_id, status_code, response, created_at)
            SELECT $1::text, $2::text, $3::text, $4::bigint, $5::text, $6::bigint WHERE $1::text IS NOT NULL
            ON CONFLICT (provider, delivery_id) DO NOTHING
            RETURNING 1 AS new
        ), counted AS (
            INSERT INTO usage (user_id, period, pipeline_runs, compute_minutes)
            SELECT $7::text, $8::text, 1, 0 WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM delivery)) AND $9::boolean
            ON CONFLICT (user_id, period) DO UPDATE SET pipeline_runs = usage.pipeline_runs + 1
            WHERE ($10::bigint IS NULL OR usage.pipeline_runs < $10::bigint)
              AND ($11::bigint IS NULL OR usage.compute_minutes < $11::bigint)
            RETURNING 1 AS counted
        ), stored AS (
            INSERT INTO pipelines (\(SQLPipelineRepository.insertedColumns))
            SELECT $12::text, $7::text, $13::text, $14::text, $15::text, $16::text, $17::text, $18::text, $19::text,
                   $20::text, $21::text, $22::bigint, $23::bigint, $24::bigint, $25::text, $26::text, $27::text,
                   $28::bigint, $29::text, $30::text, $31::text
            FROM counted RETURNING id
        ), queued AS (
            INSERT INTO jobs (id, pipeline_id, status, attempts, available_at, created_at)
            SELECT $32::text, id, 'queued', 0, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT), $22::bigint
            FROM stored
            RETURNING 1 AS queued
        )
        SELECT CASE WHEN $1::text IS NULL THEN 1 ELSE (SELECT COUNT(*) FROM delivery) END AS new_delivery,
               (SELECT COUNT(*) FROM queued) AS queued
        """

    let pipeline: PipelineRecord
    let delivery: WebhookDeliveryRecord?
    let quota: RunQuota?
    let jobID: String

    func makeBindings() throws -> PostgresBindings {
        let columns = try SQLPipelineRepository.encodedColumns(pipeline)
        var bindings = PostgresBindings(capacity: 32)
        bindings.append(delivery?.provider)
        bindings.append(delivery?.deliveryID)
        bindings.append(delivery?.repositoryID)
        bindings.append(delivery.map { Int64($0.statusCode) })
        bindings.append(delivery?.response)
        bindings.append(delivery?.createdAt)
        bindings.append(pipeline.userID)
        bindings.append(UsageMonth(millis: pipeline.createdAt).id)
        bindings.append(!(quota?.pipelineRuns == 0 || quota?.computeMinutes == 0))
        bindings.append(quota?.pipelineRuns.map(Int64.init))
        bindings.append(quota?.computeMinutes.map(Int64.init))
        bindings.append(pipeline.id)
        bindings.append(pipeline.repositoryID)
        bindings.append(pipeline.repoURL)
        bindings.append(pipeline.branch)
        bindings.append(pipeline.commitSHA)
        bindings.append(pipeline.event)
        bindings.append(pipeline.status.rawValue)
        bindings.append(pipeline.error)
        bindings.append(columns.commands)
        bindings.append(columns.environment)
        bindings.append(pipeline.createdAt)
        bindings.append(pipeline.completedAt)
        bindings.append(Int64(pipeline.fork ? 1 : 0))
        bindings.append(pipeline.fetchRef)
        bindings.append(pipeline.commitMessage)
        bindings.append(pipeline.commitAuthor)
        bindings.append(pipeline.pullRequestNumber.map(Int64.init))
        bindings.append(pipeline.targetBranch)
        bindings.append(pipeline.repositoryName)
        bindings.append(columns.changedFiles)
        bindings.append(jobID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
