import Foundation
import SQLKit

/// Pipelines and their steps. Every read that takes a `userID` only ever sees that account's pipelines.
public protocol PipelineRepository: Sendable {
    /// Inserts the pipeline and its queued job in one transaction: both exist, or neither.
    func createQueued(_ pipeline: PipelineRecord) async throws
    func find(id: String, userID: String) async throws -> PipelineRecord?
    func find(id: String) async throws -> PipelineRecord?
    /// The account's pipelines, newest first; `cursor` is a `nextCursor` from an earlier page.
    func list(userID: String, status: PipelineStatus?, limit: Int, cursor: String?) async throws -> PipelinePage
    func steps(pipelineID: String) async throws -> [StepRecord]
    /// Marks the pipeline running (again, after a recovered job) and clears earlier steps.
    func markRunning(id: String, at: Int64) async throws
    func setCommit(id: String, sha: String) async throws
    /// Replaces the step list with `names`, all pending, in run order.
    func setSteps(pipelineID: String, names: [String]) async throws
    func updateStep(pipelineID: String, name: String, status: StepStatus, exitCode: Int?, startedAt: Int64?, finishedAt: Int64?) async throws
    /// Ends the pipeline; steps still pending or running become `skipped` (or `canceled`).
    func finish(id: String, status: PipelineStatus, error: String?, at: Int64) async throws
    /// Which of `ids` are pipelines of this installation that have finished (their containers are leftovers).
    /// Ids this database does not know are not returned: they may belong to another installation on the host.
    func finishedIDs(among ids: Set<String>) async throws -> Set<String>
    /// Records a request to cancel the account's pipeline, in one transaction: a pipeline no worker has taken
    /// yet ends `canceled` right away (its job is withdrawn); a running one is left for its worker, which
    /// polls `isCancelRequested`. Nil when the account has no such pipeline.
    func requestCancel(id: String, userID: String, at: Int64) async throws -> CancelRequestOutcome?
    func isCancelRequested(id: String) async throws -> Bool
}

public struct SQLPipelineRepository: PipelineRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func createQueued(_ pipeline: PipelineRecord) async throws {
        let commands = try pipeline.commands.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        let environment = String(decoding: try JSONEncoder().encode(pipeline.environment), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw("""
                INSERT INTO pipelines (id, user_id, repository_id, repo_url, branch, commit_sha, event, status, commands, env, created_at,
                                       fork, fetch_ref)
                VALUES (\(bind: pipeline.id), \(bind: pipeline.userID), \(bind: pipeline.repositoryID), \(bind: pipeline.repoURL),
                        \(bind: pipeline.branch), \(bind: pipeline.commitSHA), \(bind: pipeline.event), \(bind: pipeline.status.rawValue),
                        \(bind: commands), \(bind: environment), \(bind: pipeline.createdAt),
                        \(bind: pipeline.fork ? 1 : 0), \(bind: pipeline.fetchRef))
                """).run()
            try await db.raw("""
                INSERT INTO jobs (id, pipeline_id, status, attempts, available_at, created_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: pipeline.id), 'queued', 0,
                        \(bind: pipeline.createdAt), \(bind: pipeline.createdAt))
                """).run()
        }
    }

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
        let position = cursor.flatMap(PipelineCursor.init(encoded:))
        return try await database.withConnection { db in
            var query = SQLQueryString("SELECT * FROM pipelines WHERE user_id = ") + "\(bind: userID)"
            if let status { query = query + " AND status = " + "\(bind: status.rawValue)" }
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

    public func markRunning(id: String, at: Int64) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM steps WHERE pipeline_id = \(bind: id)").run()
            try await db.raw("""
                UPDATE pipelines SET status = 'running', started_at = \(bind: at), error = NULL, completed_at = NULL WHERE id = \(bind: id)
                """).run()
        }
    }

    public func setCommit(id: String, sha: String) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE pipelines SET commit_sha = \(bind: sha) WHERE id = \(bind: id)").run()
        }
    }

    public func setSteps(pipelineID: String, names: [String]) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM steps WHERE pipeline_id = \(bind: pipelineID)").run()
            for (position, name) in names.enumerated() {
                try await db.raw("""
                    INSERT INTO steps (pipeline_id, position, name, status) VALUES (\(bind: pipelineID), \(bind: position), \(bind: name), 'pending')
                    """).run()
            }
        }
    }

    public func updateStep(pipelineID: String, name: String, status: StepStatus, exitCode: Int?, startedAt: Int64?, finishedAt: Int64?) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE steps SET status = \(bind: status.rawValue), exit_code = COALESCE(\(bind: exitCode), exit_code),
                    started_at = COALESCE(\(bind: startedAt), started_at), finished_at = COALESCE(\(bind: finishedAt), finished_at)
                WHERE pipeline_id = \(bind: pipelineID) AND name = \(bind: name)
                """).run()
        }
    }

    public func finish(id: String, status: PipelineStatus, error: String?, at: Int64) async throws {
        let leftover = status == .canceled ? StepStatus.canceled : .skipped
        try await database.transaction { db in
            try await db.raw("""
                UPDATE steps SET status = \(bind: leftover.rawValue), finished_at = CASE WHEN status = 'running' THEN \(bind: at) ELSE finished_at END
                WHERE pipeline_id = \(bind: id) AND status IN ('pending', 'running')
                """).run()
            try await db.raw("""
                UPDATE pipelines SET status = \(bind: status.rawValue), error = \(bind: error), completed_at = \(bind: at) WHERE id = \(bind: id)
                """).run()
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
        return PipelineRecord(
            id: try row.string("id"), userID: try row.string("user_id"), repositoryID: try row.optionalString("repository_id"),
            repoURL: try row.string("repo_url"), branch: try row.string("branch"), commitSHA: try row.optionalString("commit_sha"),
            event: try row.string("event"), status: PipelineStatus(rawValue: try row.string("status")) ?? .error,
            error: try row.optionalString("error"), commands: commands, environment: environment,
            createdAt: try row.int64("created_at"), startedAt: try row.optionalInt64("started_at"),
            completedAt: try row.optionalInt64("completed_at"),
            fork: try row.optionalInt64("fork").map { $0 != 0 } ?? false, fetchRef: try row.optionalString("fetch_ref")
        )
    }
}

/// An opaque pagination cursor: the (created_at, id) of the last pipeline of a page, base64url-encoded.
public struct PipelineCursor: Sendable {
    let createdAt: Int64
    let id: String

    init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    public init?(encoded: String) {
        var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let createdAt = Int64(parts[0]) else { return nil }
        self.init(createdAt: createdAt, id: String(parts[1]))
    }

    var encoded: String {
        Data("\(createdAt):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
