import FlowForgeCore
import Foundation
import SQLKit

/// Pipelines and their steps. Every read that takes a `userID` only ever sees that account's pipelines.
public protocol PipelineRepository: Sendable {
    /// Inserts the pipeline and its queued job in one transaction: both exist, or neither. With `delivery`,
    /// the webhook delivery's answer is stored in that same transaction, so an answer is never on record
    /// for a pipeline that does not exist; when an answer to that delivery is already stored (a concurrent
    /// redelivery won), nothing is inserted and that earlier answer is returned. `queuedStatus` (the first
    /// commit status) commits with them. Returns nil when the pipeline was stored.
    ///
    /// The run is counted in the account's usage for the month of `createdAt` in the same transaction. With
    /// `quota`, a month whose runs are used up, or whose compute minutes are, refuses the pipeline: nothing
    /// is stored and `UsageLimitReached` is thrown (checked and counted in one statement, so concurrent
    /// creations never get past the limit together).
    @discardableResult
    func createQueued(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, queuedStatus: NewOutboxStatus?, quota: RunQuota?
    ) async throws -> WebhookDeliveryRecord?
    /// Stores a pipeline that will never run because the account's plan refused it (`pipeline` already in
    /// its final state, with no job), with the delivery's answer and its final commit status, in one
    /// transaction; it is not counted as a run. Like `createQueued`, returns the earlier answer instead
    /// when the delivery was already answered (then nothing is stored), else nil.
    @discardableResult
    func createRefused(_ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, finalStatus: NewOutboxStatus?) async throws -> WebhookDeliveryRecord?
    func find(id: String, userID: String) async throws -> PipelineRecord?
    func find(id: String) async throws -> PipelineRecord?
    /// The account's pipelines, newest first; `cursor` is a `nextCursor` from an earlier page.
    func list(userID: String, status: PipelineStatus?, limit: Int, cursor: String?) async throws -> PipelinePage
    func steps(pipelineID: String) async throws -> [StepRecord]
    // The writes a run makes are fenced by its claim (`ClaimedJob.token`): each one throws
    // `StoreError.leaseLost` and changes nothing once the claim no longer holds the pipeline's job.

    /// Marks the pipeline running (again, after a recovered job) and clears earlier steps.
    func markRunning(_ job: ClaimedJob, at: Int64) async throws
    /// Records the commit the run checked out, with `startedStatus` (the "running" commit status) queued in
    /// the same transaction.
    func setCommit(_ job: ClaimedJob, sha: String, startedStatus: NewOutboxStatus?) async throws
    /// Like `setCommit`, also recording the pipeline's name from its file (nil leaves it as it is).
    func setCommit(_ job: ClaimedJob, sha: String, name: String?, startedStatus: NewOutboxStatus?) async throws
    /// Replaces the step list with `names`, all pending, in run order.
    func setSteps(_ job: ClaimedJob, names: [String]) async throws
    /// Records which backend runs the steps (`Backend.name`), for the API to show.
    func setBackend(_ job: ClaimedJob, name: String) async throws
    func updateStep(_ job: ClaimedJob, name: String, status: StepStatus, exitCode: Int?, startedAt: Int64?, finishedAt: Int64?) async throws
    /// Ends the pipeline and its job in one transaction, with `finalStatus` (its last commit status) queued
    /// in the status outbox in that same transaction: after a crash the forge is never left showing
    /// "running" for a finished pipeline. Steps still pending or running become `skipped` (or `canceled`).
    /// The run time of its steps, rounded up to whole minutes, is added to the account's compute minutes of
    /// the month of `at`, in that transaction too, so it is counted once however often a worker retries.
    func finish(_ job: ClaimedJob, status: PipelineStatus, error: String?, at: Int64, finalStatus: NewOutboxStatus?) async throws
    /// Which of `ids` are pipelines of this installation that have finished (their containers are leftovers).
    /// Ids this database does not know are not returned: they may belong to another installation on the host.
    func finishedIDs(among ids: Set<String>) async throws -> Set<String>
    /// Records a request to cancel the account's pipeline, in one transaction: a pipeline no worker has taken
    /// yet ends `canceled` right away (its job is withdrawn); a running one is left for its worker, which
    /// polls `isCancelRequested`. Nil when the account has no such pipeline.
    func requestCancel(id: String, userID: String, at: Int64) async throws -> CancelRequestOutcome?
    /// Ids of the account's unfinished pipelines of `repositoryID` for `event` on `branch` created before
    /// `createdAt` (ties broken by id, so of two equal times the later id is the newer), `excluding` one id.
    func olderUnfinished(
        userID: String, repositoryID: String, branch: String, event: String, createdAt: Int64, excluding: String
    ) async throws -> [String]
    func isCancelRequested(id: String) async throws -> Bool
}

extension PipelineRepository {
    /// `createQueued` without a quota: counted, never refused.
    @discardableResult
    public func createQueued(_ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord?, queuedStatus: NewOutboxStatus?) async throws -> WebhookDeliveryRecord? {
        try await createQueued(pipeline, delivery: delivery, queuedStatus: queuedStatus, quota: nil)
    }
}

public struct SQLPipelineRepository: PipelineRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func find(id: String, userID: String) async throws -> PipelineRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM pipelines WHERE id = \(bind: id) AND user_id = \(bind: userID)").first().map(Self.pipeline)
        }
    }

    public func find(id: String) async throws -> PipelineRecord? {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM pipelines WHERE id = \(bind: id)").first().map(Self.pipeline)
        }
    }

    public func list(userID: String, status: PipelineStatus?, limit: Int, cursor: String?) async throws -> PipelinePage {
        try await list(userID: userID, status: status, repositoryID: nil, limit: limit, cursor: cursor)
    }

    /// `list`, narrowed to one connected repository's pipelines when `repositoryID` is set (the dashboard's filter).
    public func list(userID: String, status: PipelineStatus?, repositoryID: String?, limit: Int, cursor: String?) async throws -> PipelinePage {
        let position = cursor.flatMap(PipelineCursor.init(encoded:))
        return try await database.withConnection { db in
            var query = SQLQueryString("SELECT * FROM pipelines WHERE user_id = ") + "\(bind: userID)"
            if let status { query = query + " AND status = " + "\(bind: status.rawValue)" }
            if let repositoryID { query = query + " AND repository_id = " + "\(bind: repositoryID)" }
            if let position {
                // Keyset pagination: stable while new pipelines arrive, unlike OFFSET.
                query = query + " AND (created_at < " + "\(bind: position.createdAt)"
                    + " OR (created_at = " + "\(bind: position.createdAt)" + " AND id < " + "\(bind: position.id)" + "))"
            }
            query = query + " ORDER BY created_at DESC, id DESC LIMIT " + "\(bind: limit + 1)"
            var rows = try await db.raw(query).all().map(Self.pipeline)
            var next: String?
            if rows.count > limit {
                rows.removeLast()
                next = rows.last.map { PipelineCursor(createdAt: $0.createdAt, id: $0.id).encoded }
            }
            return PipelinePage(pipelines: rows, nextCursor: next)
        }
    }

    public func steps(pipelineID: String) async throws -> [StepRecord] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM steps WHERE pipeline_id = \(bind: pipelineID) ORDER BY position").all().map { row in
                StepRecord(
                    pipelineID: try row.string("pipeline_id"), position: Int(try row.int64("position")), name: try row.string("name"),
                    status: StepStatus(rawValue: try row.string("status")) ?? .pending,
                    exitCode: try row.optionalInt64("exit_code").map(Int.init),
                    startedAt: try row.optionalInt64("started_at"), finishedAt: try row.optionalInt64("finished_at")
                )
            }
        }
    }

    public func finishedIDs(among ids: Set<String>) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try await database.withConnection { db in
            var finished: Set<String> = []
            for id in ids {
                if let row = try await db.raw("SELECT status FROM pipelines WHERE id = \(bind: id)").first(),
                   PipelineStatus(rawValue: try row.string("status"))?.isFinished == true {
                    finished.insert(id)
                }
            }
            return finished
        }
    }

    static func pipeline(_ row: any SQLRow) throws -> PipelineRecord {
        let decoder = JSONDecoder()
        let commands = try row.optionalString("commands").map { try decoder.decode([String].self, from: Data($0.utf8)) }
        let environment = try row.optionalString("env").map { try decoder.decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        var record = PipelineRecord(
            id: try row.string("id"), userID: try row.string("user_id"), repositoryID: try row.optionalString("repository_id"),
            repoURL: try row.string("repo_url"), branch: try row.string("branch"), commitSHA: try row.optionalString("commit_sha"),
            event: try row.string("event"), status: PipelineStatus(rawValue: try row.string("status")) ?? .error,
            error: try row.optionalString("error"), commands: commands, environment: environment,
            createdAt: try row.int64("created_at"), startedAt: try row.optionalInt64("started_at"),
            completedAt: try row.optionalInt64("completed_at"),
            fork: try row.optionalInt64("fork").map { $0 != 0 } ?? false, fetchRef: try row.optionalString("fetch_ref")
        )
        record.logsExpiredAt = try row.optionalInt64("logs_expired_at")
        record.name = try row.optionalString("name")
        record.commitMessage = try row.optionalString("commit_message")
        record.commitAuthor = try row.optionalString("commit_author")
        record.pullRequestNumber = try row.optionalInt64("pr_number").map(Int.init)
        record.targetBranch = try row.optionalString("target_branch")
        record.repositoryName = try row.optionalString("repository_name")
        record.backend = try row.optionalString("backend")
        record.changedFiles = try row.optionalString("changed_files").map { try decoder.decode([String].self, from: Data($0.utf8)) }
        return record
    }
}
