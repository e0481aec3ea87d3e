import Foundation
import FlowForgeCore
import SQLKit

/// The writes a running pipeline makes, each fenced by its job's claim (see `ClaimedJob.requireHeld`).
extension SQLPipelineRepository {
    /// Runs `body` in a transaction that first checks the claim still holds the job (see `requireHeld`).
    private func fenced(_ job: ClaimedJob, _ body: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
        let dialect = database.dialect
        try await database.transaction { db in
            try await job.requireHeld(on: db, dialect: dialect)
            try await body(db)
        }
    }

    public func markRunning(_ job: ClaimedJob, at: Int64) async throws {
        try await fenced(job) { db in
            try await db.raw("DELETE FROM steps WHERE pipeline_id = \(bind: job.pipelineID)").run()
            try await db.raw("""
                UPDATE pipelines SET status = 'running', started_at = \(bind: at), error = NULL, completed_at = NULL
                WHERE id = \(bind: job.pipelineID)
                """).run()
        }
    }

    public func setCommit(_ job: ClaimedJob, sha: String, startedStatus: NewOutboxStatus?) async throws {
        try await setCommit(job, sha: sha, name: nil, startedStatus: startedStatus)
    }

    public func setCommit(_ job: ClaimedJob, sha: String, name: String?, startedStatus: NewOutboxStatus?) async throws {
        try await fenced(job) { db in
            try await db.raw("""
                UPDATE pipelines SET commit_sha = \(bind: sha), name = COALESCE(\(bind: name), name) WHERE id = \(bind: job.pipelineID)
                """).run()
            if let startedStatus {
                try await SQLStatusOutboxRepository.insert(startedStatus, id: UUID().uuidString.lowercased(), now: Clock.nowMillis(), on: db)
            }
        }
    }

    public func setSteps(_ job: ClaimedJob, names: [String]) async throws {
        try await fenced(job) { db in
            try await db.raw("DELETE FROM steps WHERE pipeline_id = \(bind: job.pipelineID)").run()
            for (position, name) in names.enumerated() {
                try await db.raw("""
                    INSERT INTO steps (pipeline_id, position, name, status)
                    VALUES (\(bind: job.pipelineID), \(bind: position), \(bind: name), 'pending')
                    """).run()
            }
        }
    }

    public func setBackend(_ job: ClaimedJob, name: String) async throws {
        try await fenced(job) { db in
            try await db.raw("UPDATE pipelines SET backend = \(bind: name) WHERE id = \(bind: job.pipelineID)").run()
        }
    }

    public func updateStep(_ job: ClaimedJob, name: String, status: StepStatus, exitCode: Int?, startedAt: Int64?, finishedAt: Int64?) async throws {
        try await fenced(job) { db in
            try await db.raw("""
                UPDATE steps SET status = \(bind: status.rawValue), exit_code = COALESCE(\(bind: exitCode), exit_code),
                    started_at = COALESCE(\(bind: startedAt), started_at), finished_at = COALESCE(\(bind: finishedAt), finished_at)
                WHERE pipeline_id = \(bind: job.pipelineID) AND name = \(bind: name)
                """).run()
        }
    }

    public func finish(_ job: ClaimedJob, status: PipelineStatus, error: String?, at: Int64, finalStatus: NewOutboxStatus?) async throws {
        let leftover = status == .canceled ? StepStatus.canceled : .skipped
        try await fenced(job) { db in
            try await db.raw("""
                UPDATE steps SET status = \(bind: leftover.rawValue), finished_at = CASE WHEN status = 'running' THEN \(bind: at) ELSE finished_at END
                WHERE pipeline_id = \(bind: job.pipelineID) AND status IN ('pending', 'running')
                """).run()
            try await db.raw("""
                UPDATE pipelines SET status = \(bind: status.rawValue), error = \(bind: error), completed_at = \(bind: at)
                WHERE id = \(bind: job.pipelineID)
                """).run()
            if let finalStatus {
                try await SQLStatusOutboxRepository.insert(finalStatus, id: UUID().uuidString.lowercased(), now: at, on: db)
            }
            if let owner = try await db.raw("SELECT user_id FROM pipelines WHERE id = \(bind: job.pipelineID)").first() {
                let minutes = try await SQLUsageRepository.computeMinutes(pipelineID: job.pipelineID, on: db)
                try await SQLUsageRepository.addCompute(userID: try owner.string("user_id"), month: UsageMonth(millis: at), minutes: minutes, on: db)
            }
            _ = try await SQLJobQueue.complete(job, on: db)
        }
    }
}
