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
    /// (prefixed with `worker`, which names the process in logs). Nil when nothing is due. A job whose
    /// account already runs as many jobs as its plan's `concurrent_builds` is not due: it waits, queued,
    /// and the account's jobs start in the order they were queued as its running ones end.
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

/// How many pipelines of one account may run at once, by the account's plan (`users.plan`), for the claim.
public struct ConcurrentBuildLimits: Sendable, Equatable {
    public var perPlan: [String: Int]
    /// For a plan id not in `perPlan`.
    public var fallback: Int

    public init(perPlan: [String: Int], fallback: Int) {
        self.perPlan = perPlan
        self.fallback = fallback
    }

    /// `CASE users.plan WHEN … THEN … ELSE fallback END` over the users row aliased `u`.
    var sqlExpression: SQLQueryString {
        var expression: SQLQueryString = "CASE u.plan"
        for (plan, limit) in perPlan.sorted(by: { $0.key < $1.key }) {
            expression = expression + " WHEN \(bind: plan) THEN \(bind: limit)"
        }
        return expression + " ELSE \(bind: fallback) END"
    }
}

public struct SQLJobQueue: JobQueue {
    let database: Database
    /// With limits, a job is only claimed while its account has fewer running jobs than its plan allows;
    /// its other jobs wait, queued, in order. Nil: no per-account limit.
    let buildLimits: ConcurrentBuildLimits?

    public init(database: Database, buildLimits: ConcurrentBuildLimits? = nil) {
        self.database = database
        self.buildLimits = buildLimits
    }

    /// Accounts one claim may pass over (full, or being claimed for by another worker) before it gives up
    /// until the next poll.
    static let maxCandidates = 16

    public func claim(worker: String, lease: Int64) async throws -> ClaimedJob? {
        let token = "\(worker)/\(UUID().uuidString.lowercased())"
        let now = database.nowMillisSQL
        let dialect = database.dialect
        let limits = buildLimits
        return try await database.transaction { db in
            var passedOver: [String] = []
            for _ in 0..<Self.maxCandidates {
                // A dead worker's job first: it was at the head of the queue when it was claimed.
                var candidate = try await db.raw(
                    Self.candidateQuery(.expiredLease, now: now, dialect: dialect, limits: limits, passingOver: passedOver)
                ).first()
                if candidate == nil {
                    candidate = try await db.raw(
                        Self.candidateQuery(.queued, now: now, dialect: dialect, limits: limits, passingOver: passedOver)
                    ).first()
                }
                guard let candidate else { return nil }
                let jobID = try candidate.string("id")
                if let limits, dialect == .postgres {
                    // The candidate query counted running jobs in its own snapshot: two workers could both see a
                    // free slot of one account and take two. Claims for one account take turns on an advisory
                    // lock (held to commit), and the count is taken again under it, in a fresh snapshot that
                    // sees every claim committed before. A try-lock: waiting could deadlock two claims that pass
                    // over accounts in different orders; an account skipped now is tried at the next claim.
                    let userID = try candidate.string("user_id")
                    guard try await Self.tryLockAccount(userID, on: db),
                          try await Self.running(userID: userID, except: jobID, now: now, on: db) < Self.limit(userID, limits, on: db)
                    else {
                        passedOver.append(userID)
                        continue
                    }
                }
                guard let row = try await db.raw("""
                    UPDATE jobs SET status = 'running', lease_owner = \(bind: token),
                        lease_expires_at = \(unsafeRaw: now) + \(bind: lease), attempts = attempts + 1
                    WHERE id = \(bind: jobID)
                    RETURNING id, pipeline_id, attempts
                    """).first() else { return nil }
                return ClaimedJob(
                    id: try row.string("id"), pipelineID: try row.string("pipeline_id"),
                    attempt: Int(try row.int64("attempts")), token: token)
            }
            return nil
        }
    }

    /// Which claimable jobs a candidate query looks at.
    enum Claimable {
        /// Queued and due.
        case queued
        /// Running under a lease that expired (its worker died or hung).
        case expiredLease
    }

    /// The oldest claimable job of one kind with its account, of an account below its limit of running jobs
    /// (live leases only: an expired one is a dead worker's).
    ///
    /// Shaped so the cost of a claim does not grow with the queue: the queued jobs are walked in queue order on
    /// a partial index (`jobs_queued_created`) and the walk stops at the first job it may take; the running
    /// count of every account is computed once, from the few running jobs (`jobs_running_lease`), not once per
    /// queued job (which made each claim quadratic in the queue: 0.37 s for 1,300 queued jobs on PostgreSQL).
    /// The walk still passes over the jobs of accounts at their limit one by one (about 4 µs each).
    static func candidateQuery(
        _ kind: Claimable, now: String, dialect: SQLDialectKind, limits: ConcurrentBuildLimits?, passingOver: [String]
    ) -> SQLQueryString {
        let due: SQLQueryString = switch kind {
        case .queued: "j.status = 'queued' AND j.available_at <= \(unsafeRaw: now)"
        case .expiredLease: "j.status = 'running' AND j.lease_expires_at < \(unsafeRaw: now)"
        }
        // Only the job row is locked: the joined pipeline and user rows are only read.
        let lock: SQLQueryString = dialect == .postgres ? " FOR UPDATE OF j SKIP LOCKED" : ""
        guard let limits else {
            return "SELECT j.id FROM jobs j WHERE " + due + " ORDER BY j.created_at LIMIT 1" + lock
        }
        var query: SQLQueryString = """
            SELECT j.id, p.user_id FROM jobs j JOIN pipelines p ON p.id = j.pipeline_id JOIN users u ON u.id = p.user_id
            LEFT JOIN (SELECT rp.user_id AS user_id, COUNT(*) AS running FROM jobs r JOIN pipelines rp ON rp.id = r.pipeline_id
                       WHERE r.status = 'running' AND r.lease_expires_at >= \(unsafeRaw: now) GROUP BY rp.user_id) busy
              ON busy.user_id = p.user_id
            WHERE
            """
        query = query + " " + due
        if !passingOver.isEmpty {
            query = query + " AND p.user_id NOT IN (" + passingOver.map { "\(bind: $0)" as SQLQueryString }.joined(separator: ", ") + ")"
        }
        return query + " AND COALESCE(busy.running, 0) < " + limits.sqlExpression + " ORDER BY j.created_at LIMIT 1" + lock
    }

    static func tryLockAccount(_ userID: String, on db: any SQLDatabase) async throws -> Bool {
        // Two int4 keys, a key space apart from the migrator's single bigint key.
        let row = try await db.raw("SELECT pg_try_advisory_xact_lock(4242002, hashtext(\(bind: userID))) AS locked").first()
        return try row?.decode(column: "locked", as: Bool.self) ?? false
    }

    static func running(userID: String, except jobID: String, now: String, on db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("""
            SELECT COUNT(*) AS running FROM jobs r JOIN pipelines rp ON rp.id = r.pipeline_id
            WHERE rp.user_id = \(bind: userID) AND r.status = 'running' AND r.lease_expires_at >= \(unsafeRaw: now) AND r.id <> \(bind: jobID)
            """).first()
        return Int(try row?.int64("running") ?? 0)
    }

    static func limit(_ userID: String, _ limits: ConcurrentBuildLimits, on db: any SQLDatabase) async throws -> Int {
        let plan = try await db.raw("SELECT plan FROM users WHERE id = \(bind: userID)").first()?.string("plan")
        return plan.flatMap { limits.perPlan[$0] } ?? limits.fallback
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
