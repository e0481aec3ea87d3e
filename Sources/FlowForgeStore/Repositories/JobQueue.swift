import Foundation
import SQLKit

/// One claim of a job: what a worker holds while it runs the job's pipeline.
///
/// `token` is new for every claim and is the job's fencing token: every write the run makes checks that
/// the job is still held under it, so a worker that lost its lease (it stalled, and another took the job
/// over) can no longer change the pipeline, its steps or its statuses.
public struct ClaimedJob: Sendable, Equatable {
    public var id: String
    public var pipelineID: String
    /// 1 on the first claim; more when an earlier worker's lease expired (it died or hung). A job handed
    /// back on shutdown does not count.
    public var attempt: Int
    /// Unique to this claim.
    public var token: String

    public init(id: String, pipelineID: String, attempt: Int, token: String) {
        self.id = id
        self.pipelineID = pipelineID
        self.attempt = attempt
        self.token = token
    }
}

/// The durable pipeline queue. A job is claimed with a lease that its worker renews while it runs; a job
/// whose lease expired can be claimed again by any worker, so a dead worker loses no pipeline.
///
/// Lease times are computed by the database's clock, never the caller's, so replicas whose clocks differ
/// agree on expiry. Every method is safe to call concurrently from several processes.
public protocol JobQueue: Sendable {
    /// Claims the oldest queued job, or one whose lease expired, for `lease` milliseconds under a new token
    /// (prefixed with `worker`, which names the process in logs). Nil when nothing is due.
    /// Two claims never hold the same job (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
    func claim(worker: String, lease: Int64) async throws -> ClaimedJob?
    /// Extends the claim's lease to `lease` milliseconds from now; false when the claim no longer holds the
    /// job (another worker took it over, or it was completed or handed back). Safe to call twice.
    func renew(_ job: ClaimedJob, lease: Int64) async throws -> Bool
    /// Marks the job done if the claim still holds it; false otherwise. Safe to call twice.
    @discardableResult
    func complete(_ job: ClaimedJob) async throws -> Bool
    /// Hands the job back at once, queued again as if this claim had never happened (the attempt is not
    /// counted) and its pipeline `pending`; false when the claim no longer held it. For a worker that is
    /// shutting down: the next worker need not wait for the lease to expire.
    @discardableResult
    func release(_ job: ClaimedJob) async throws -> Bool
}

public struct SQLJobQueue: JobQueue {
    let database: Database

    public init(database: Database) { self.database = database }

    public func claim(worker: String, lease: Int64) async throws -> ClaimedJob? {
        let token = "\(worker)/\(UUID().uuidString.lowercased())"
        let now = database.nowMillisSQL
        let lock = database.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
        let query: SQLQueryString = """
            UPDATE jobs SET status = 'running', lease_owner = \(bind: token),
                lease_expires_at = \(unsafeRaw: now) + \(bind: lease), attempts = attempts + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND available_at <= \(unsafeRaw: now))
                   OR (status = 'running' AND lease_expires_at < \(unsafeRaw: now))
                ORDER BY created_at LIMIT 1\(unsafeRaw: lock)
            )
            RETURNING id, pipeline_id, attempts
            """
        return try await database.transaction { db in
            guard let row = try await db.raw(query).first() else { return nil }
            return ClaimedJob(
                id: try row.string("id"), pipelineID: try row.string("pipeline_id"),
                attempt: Int(try row.int64("attempts")), token: token)
        }
    }

    public func renew(_ job: ClaimedJob, lease: Int64) async throws -> Bool {
        let now = database.nowMillisSQL
        return try await database.withConnection { db in
            try await db.raw("""
                UPDATE jobs SET lease_expires_at = \(unsafeRaw: now) + \(bind: lease)
                WHERE id = \(bind: job.id) AND lease_owner = \(bind: job.token) AND status = 'running'
                RETURNING id
                """).first() != nil
        }
    }

    @discardableResult
    public func complete(_ job: ClaimedJob) async throws -> Bool {
        try await database.withConnection { db in
            try await Self.complete(job, on: db)
        }
    }

    /// `complete` on a connection the caller holds, so a pipeline's final state and its job's end commit together.
    static func complete(_ job: ClaimedJob, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            UPDATE jobs SET status = 'done', lease_expires_at = NULL
            WHERE id = \(bind: job.id) AND lease_owner = \(bind: job.token) AND status = 'running'
            RETURNING id
            """).first() != nil
    }

    @discardableResult
    public func release(_ job: ClaimedJob) async throws -> Bool {
        let now = database.nowMillisSQL
        return try await database.transaction { db in
            guard try await db.raw("""
                UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL,
                    attempts = attempts - 1, available_at = \(unsafeRaw: now)
                WHERE id = \(bind: job.id) AND lease_owner = \(bind: job.token) AND status = 'running'
                RETURNING id
                """).first() != nil else { return false }
            try await db.raw("""
                UPDATE pipelines SET status = 'pending' WHERE id = \(bind: job.pipelineID) AND status = 'running'
                """).run()
            return true
        }
    }
}

extension ClaimedJob {
    /// Throws `StoreError.leaseLost` unless this claim still holds its job; on PostgreSQL the job's row stays
    /// locked until the caller's transaction ends, so no claim can take the job between this check and the
    /// writes that follow it. (SQLite transactions are serialised whole.) Call inside `Database.transaction`.
    func requireHeld(on db: any SQLDatabase, dialect: SQLDialectKind) async throws {
        let lock = dialect == .postgres ? " FOR UPDATE" : ""
        let held = try await db.raw("""
            SELECT id FROM jobs WHERE id = \(bind: id) AND lease_owner = \(bind: token) AND status = 'running'\(unsafeRaw: lock)
            """).first() != nil
        if !held { throw StoreError.leaseLost }
    }
}
