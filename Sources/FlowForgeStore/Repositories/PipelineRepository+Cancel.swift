import SQLKit

/// What `requestCancel` did.
public enum CancelRequestOutcome: Sendable, Equatable {
    /// It had not started: it is now `canceled` and will never run.
    case canceled
    /// A worker has it; the worker stops it and records `canceled`.
    case stopping
    /// It had already ended with this status; nothing changed.
    case alreadyFinished(PipelineStatus)
}

extension SQLPipelineRepository {
    public func requestCancel(id: String, userID: String, at: Int64) async throws -> CancelRequestOutcome? {
        let lock = database.dialect == .postgres ? " FOR UPDATE" : ""
        return try await database.transaction { db in
            // Rows are locked in the order every fenced write of a run locks them (the job, then its pipeline),
            // so a cancel and a worker's final write wait for each other instead of deadlocking on PostgreSQL;
            // and the status read under the lock is the one the rest of this transaction acts on.
            _ = try await db.raw("SELECT id FROM jobs WHERE pipeline_id = \(bind: id)\(unsafeRaw: lock)").all()
            guard let row = try await db.raw(
                "SELECT status FROM pipelines WHERE id = \(bind: id) AND user_id = \(bind: userID)\(unsafeRaw: lock)"
            ).first() else { return nil }
            let status = PipelineStatus(rawValue: try row.string("status")) ?? .error
            if status.isFinished { return .alreadyFinished(status) }
            try await db.raw("""
                UPDATE pipelines SET cancel_requested_at = COALESCE(cancel_requested_at, \(bind: at)) WHERE id = \(bind: id)
                """).run()
            // Only a job no worker holds may be withdrawn; the claim takes the same row, so exactly one wins.
            let withdrawn = try await db.raw("""
                DELETE FROM jobs WHERE pipeline_id = \(bind: id) AND status = 'queued' RETURNING id
                """).first() != nil
            guard withdrawn else { return .stopping }
            try await db.raw("""
                UPDATE steps SET status = 'canceled' WHERE pipeline_id = \(bind: id) AND status IN ('pending', 'running')
                """).run()
            try await db.raw("""
                UPDATE pipelines SET status = 'canceled', error = 'canceled before it started', completed_at = \(bind: at)
                WHERE id = \(bind: id)
                """).run()
            return .canceled
        }
    }

    public func olderUnfinished(
        userID: String, repositoryID: String, branch: String, event: String, createdAt: Int64, excluding: String
    ) async throws -> [String] {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT id FROM pipelines
                WHERE user_id = \(bind: userID) AND repository_id = \(bind: repositoryID) AND branch = \(bind: branch)
                  AND event = \(bind: event) AND status IN ('pending', 'running') AND id <> \(bind: excluding)
                  AND (created_at < \(bind: createdAt) OR (created_at = \(bind: createdAt) AND id < \(bind: excluding)))
                ORDER BY created_at, id
                """).all().map { try $0.string("id") }
        }
    }

    public func isCancelRequested(id: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT cancel_requested_at FROM pipelines WHERE id = \(bind: id)").first()?
                .optionalInt64("cancel_requested_at") != nil
        }
    }
}
