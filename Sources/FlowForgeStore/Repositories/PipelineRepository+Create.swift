import FlowForgeCore
import Foundation
import SQLKit

/// Creating pipelines: queued with their job (and a webhook's answer and first commit status), or recorded as
/// refused by the plan; and the columns both write.
extension SQLPipelineRepository {
    @discardableResult
    public func createQueued(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord? = nil, queuedStatus: NewOutboxStatus? = nil, quota: RunQuota? = nil
    ) async throws -> WebhookDeliveryRecord? {
        // The job becomes available by the database's clock, the one claims compare it with.
        let now = database.nowMillisSQL
        // Grouped by account: every pipeline of the account updates its usage row, whose lock would otherwise
        // make them wait for each other's COMMIT one by one.
        let postgres = database.dialect == .postgres
        let stored: Bool = try await database.transaction(groupedBy: pipeline.userID) { db in
            if postgres {
                guard try await Self.insertQueuedAtOnce(pipeline, delivery: delivery, quota: quota, on: db) else { return false }
                if let queuedStatus {
                    try await SQLStatusOutboxRepository.insert(queuedStatus, id: UUID().uuidString.lowercased(), now: pipeline.createdAt, on: db)
                }
                return true
            }
            if let delivery, try await !SQLWebhookDeliveryRepository.insertIfNew(delivery, on: db) { return false }
            try await SQLUsageRepository.countRun(userID: pipeline.userID, month: UsageMonth(millis: pipeline.createdAt), quota: quota, on: db)
            try await Self.insert(pipeline, on: db)
            try await db.raw("""
                INSERT INTO jobs (id, pipeline_id, status, attempts, available_at, created_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: pipeline.id), 'queued', 0,
                        \(unsafeRaw: now), \(bind: pipeline.createdAt))
                """).run()
            if let queuedStatus {
                try await SQLStatusOutboxRepository.insert(queuedStatus, id: UUID().uuidString.lowercased(), now: pipeline.createdAt, on: db)
            }
            return true
        }
        guard !stored, let delivery else { return nil }
        return try await SQLWebhookDeliveryRepository(database: database).find(provider: delivery.provider, deliveryID: delivery.deliveryID)
    }

    @discardableResult
    public func createRefused(_ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, finalStatus: NewOutboxStatus?) async throws -> WebhookDeliveryRecord? {
        let stored: Bool = try await database.transaction { db in
            if let delivery, try await !SQLWebhookDeliveryRepository.insertIfNew(delivery, on: db) { return false }
            try await Self.insert(pipeline, on: db)
            if let finalStatus {
                try await SQLStatusOutboxRepository.insert(finalStatus, id: UUID().uuidString.lowercased(), now: pipeline.createdAt, on: db)
            }
            return true
        }
        guard !stored, let delivery else { return nil }
        return try await SQLWebhookDeliveryRepository(database: database).find(provider: delivery.provider, deliveryID: delivery.deliveryID)
    }

    /// The pipeline's row as given (status, error and times included).
    private static func insert(_ pipeline: PipelineRecord, on db: any SQLDatabase) async throws {
        let row = try columnsAndValues(pipeline)
        try await db.raw("INSERT INTO pipelines (" + row.columns + ") VALUES (" + row.values + ")").run()
    }

    /// The pipeline's columns that are stored as JSON text.
    static func encodedColumns(_ pipeline: PipelineRecord) throws -> (commands: String?, environment: String, changedFiles: String?) {
        let commands = try pipeline.commands.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let environment = String(decoding: try JSONEncoder().encode(pipeline.environment), as: UTF8.self)
        let changedFiles = try pipeline.changedFiles.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        return (commands, environment, changedFiles)
    }

    /// The columns a new pipeline's INSERT writes, in the order of `columnsAndValues`'s values and of
    /// `QueuedPipelineStatement`'s parameters.
    static let insertedColumns = """
        id, user_id, repository_id, repo_url, branch, commit_sha, event, status, error, commands, env, created_at,
        completed_at, fork, fetch_ref, commit_message, commit_author, pr_number, target_branch, repository_name, changed_files
        """

    /// The pipelines table's columns and `pipeline`'s values for them, bound, for an INSERT.
    static func columnsAndValues(_ pipeline: PipelineRecord) throws -> (columns: SQLQueryString, values: SQLQueryString) {
        let (commands, environment, changedFiles) = try encodedColumns(pipeline)
        let columns: SQLQueryString = "\(unsafeRaw: insertedColumns)"
        let values: SQLQueryString = """
            \(bind: pipeline.id), \(bind: pipeline.userID), \(bind: pipeline.repositoryID), \(bind: pipeline.repoURL),
            \(bind: pipeline.branch), \(bind: pipeline.commitSHA), \(bind: pipeline.event), \(bind: pipeline.status.rawValue),
            \(bind: pipeline.error), \(bind: commands), \(bind: environment), \(bind: pipeline.createdAt),
            \(bind: pipeline.completedAt), \(bind: pipeline.fork ? 1 : 0), \(bind: pipeline.fetchRef),
            \(bind: pipeline.commitMessage), \(bind: pipeline.commitAuthor), \(bind: pipeline.pullRequestNumber.map(Int64.init)),
            \(bind: pipeline.targetBranch), \(bind: pipeline.repositoryName), \(bind: changedFiles)
            """
        return (columns, values)
    }
}
