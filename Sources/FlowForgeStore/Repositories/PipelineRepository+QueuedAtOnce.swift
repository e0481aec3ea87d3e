import FlowForgeCore
import Foundation
import SQLKit

extension SQLPipelineRepository {
    /// PostgreSQL: `createQueued`'s writes as one statement (`QueuedPipelineStatement`). False when the delivery
    /// id was answered before (nothing stored); throws `UsageLimitReached` when the quota refused the run, with
    /// the delivery's row still written: the caller's transaction (or savepoint) is what undoes it.
    static func insertQueuedAtOnce(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, quota: RunQuota?, on db: any SQLDatabase
    ) async throws -> Bool {
        let statement = QueuedPipelineStatement(pipeline: pipeline, delivery: delivery, quota: quota, jobID: UUID().uuidString.lowercased())
        guard let (newDelivery, queued) = try await PostgresSession.of(db).run(statement).first else { return false }
        if newDelivery == 0 { return false }
        if queued == 1 { return true }
        // Refused by the quota: say which limit (the usage row is locked by now, so this reads what refused it).
        if let quota {
            let month = UsageMonth(millis: pipeline.createdAt)
            for zeroOnly in [true, false] {
                if let refusal = try await SQLUsageRepository.refusal(
                    userID: pipeline.userID, month: month, quota: quota, zeroOnly: zeroOnly, on: db
                ) { throw refusal }
            }
        }
        throw NeitherStoredNorRefused()
    }
}

/// The quota's upsert counted no run, yet no limit of the quota is reached: the usage row changed under the
/// statement (it cannot, while the statement holds its lock), so nothing is stored rather than a pipeline
/// left uncounted.
struct NeitherStoredNorRefused: Error, CustomStringConvertible {
    var description: String { "the pipeline was neither counted nor refused by its account's quota; nothing was stored" }
}
