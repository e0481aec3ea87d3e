import FlowForgeCore
import SQLKit

/// One account's metered usage in one calendar month.
public struct MonthlyUsage: Sendable, Equatable {
    public var month: UsageMonth
    public var pipelineRuns: Int
    public var computeMinutes: Int

    public init(month: UsageMonth, pipelineRuns: Int, computeMinutes: Int) {
        self.month = month
        self.pipelineRuns = pipelineRuns
        self.computeMinutes = computeMinutes
    }
}

/// The monthly limits a new pipeline is checked against; nil is unlimited.
public struct RunQuota: Sendable, Equatable {
    public var pipelineRuns: Int?
    public var computeMinutes: Int?

    public init(pipelineRuns: Int?, computeMinutes: Int?) {
        self.pipelineRuns = pipelineRuns
        self.computeMinutes = computeMinutes
    }
}

/// A new pipeline was refused because the account's month is used up; nothing was stored.
public struct UsageLimitReached: Error, Sendable, Equatable {
    public enum Limit: String, Sendable {
        case pipelineRuns = "pipeline_runs"
        case computeMinutes = "compute_minutes"
    }

    public var limit: Limit
    /// The limit's value and what the month had used when the pipeline was refused.
    public var allowed: Int
    public var used: Int
    public var month: UsageMonth
}

/// Reads metered usage. The counters are written only inside the transactions that create a pipeline
/// (`PipelineRepository.createQueued`) and end one (`finish`), as atomic upserts, so they are exact under
/// concurrency and across replicas.
public protocol UsageRepository: Sendable {
    /// The account's usage in each of `months`, in the order given; a month without usage is all zeros.
    func usage(userID: String, months: [UsageMonth]) async throws -> [MonthlyUsage]
}

public struct SQLUsageRepository: UsageRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func usage(userID: String, months: [UsageMonth]) async throws -> [MonthlyUsage] {
        guard let first = months.min(), let last = months.max() else { return [] }
        // `YYYY-MM` sorts as text in calendar order.
        let found: [String: (runs: Int, minutes: Int)] = try await database.withConnection { db in
            var rows: [String: (runs: Int, minutes: Int)] = [:]
            for row in try await db.raw("""
                SELECT period, pipeline_runs, compute_minutes FROM usage
                WHERE user_id = \(bind: userID) AND period >= \(bind: first.id) AND period <= \(bind: last.id)
                """).all() {
                rows[try row.string("period")] = (Int(try row.int64("pipeline_runs")), Int(try row.int64("compute_minutes")))
            }
            return rows
        }
        return months.map { month in
            let counts = found[month.id] ?? (0, 0)
            return MonthlyUsage(month: month, pipelineRuns: counts.runs, computeMinutes: counts.minutes)
        }
    }

    /// Counts one pipeline run for the account's `month`, unless `quota` says the month is used up: then
    /// throws `UsageLimitReached` and counts nothing. The check and the count are one statement (an upsert
    /// whose update only happens under the limit), so of concurrent creations exactly as many as the limit
    /// allows get through: PostgreSQL re-checks the condition on the row version it locked, SQLite runs
    /// writers one at a time. Call inside the transaction that stores the pipeline.
    static func countRun(userID: String, month: UsageMonth, quota: RunQuota?, on db: any SQLDatabase) async throws {
        if let quota, let refusal = try await refusal(userID: userID, month: month, quota: quota, zeroOnly: true, on: db) {
            throw refusal
        }
        var query: SQLQueryString = """
            INSERT INTO usage (user_id, period, pipeline_runs, compute_minutes) VALUES (\(bind: userID), \(bind: month.id), 1, 0)
            ON CONFLICT (user_id, period) DO UPDATE SET pipeline_runs = usage.pipeline_runs + 1
            """
        var conditions: [SQLQueryString] = []
        if let runs = quota?.pipelineRuns { conditions.append("usage.pipeline_runs < \(bind: runs)") }
        if let minutes = quota?.computeMinutes { conditions.append("usage.compute_minutes < \(bind: minutes)") }
        if !conditions.isEmpty { query = query + " WHERE " + conditions.joined(separator: " AND ") }
        query = query + " RETURNING pipeline_runs"
        guard try await db.raw(query).first() == nil else { return }
        // The update was refused: say which limit (the row is locked by now, so this reads what refused it).
        if let quota, let refusal = try await refusal(userID: userID, month: month, quota: quota, zeroOnly: false, on: db) {
            throw refusal
        }
    }

    /// Which limit of `quota` the month has reached, if any. With `zeroOnly`, only limits of 0 (which the
    /// upsert's insert branch could not refuse) are looked at, and without reading the row.
    static func refusal(
        userID: String, month: UsageMonth, quota: RunQuota, zeroOnly: Bool, on db: any SQLDatabase
    ) async throws -> UsageLimitReached? {
        if zeroOnly {
            if quota.pipelineRuns == 0 { return UsageLimitReached(limit: .pipelineRuns, allowed: 0, used: 0, month: month) }
            if quota.computeMinutes == 0 { return UsageLimitReached(limit: .computeMinutes, allowed: 0, used: 0, month: month) }
            return nil
        }
        let row = try await db.raw("""
            SELECT pipeline_runs, compute_minutes FROM usage WHERE user_id = \(bind: userID) AND period = \(bind: month.id)
            """).first()
        let runs = Int(try row?.int64("pipeline_runs") ?? 0)
        let minutes = Int(try row?.int64("compute_minutes") ?? 0)
        if let allowed = quota.pipelineRuns, runs >= allowed {
            return UsageLimitReached(limit: .pipelineRuns, allowed: allowed, used: runs, month: month)
        }
        if let allowed = quota.computeMinutes, minutes >= allowed {
            return UsageLimitReached(limit: .computeMinutes, allowed: allowed, used: minutes, month: month)
        }
        return nil
    }

    /// Adds `minutes` of compute to the account's `month`. Call inside the transaction that ends the pipeline.
    static func addCompute(userID: String, month: UsageMonth, minutes: Int, on db: any SQLDatabase) async throws {
        guard minutes > 0 else { return }
        try await db.raw("""
            INSERT INTO usage (user_id, period, pipeline_runs, compute_minutes) VALUES (\(bind: userID), \(bind: month.id), 0, \(bind: minutes))
            ON CONFLICT (user_id, period) DO UPDATE SET compute_minutes = usage.compute_minutes + \(bind: minutes)
            """).run()
    }

    /// A pipeline's compute: the run time of each of its step containers, summed, rounded up to whole minutes.
    static func computeMinutes(pipelineID: String, on db: any SQLDatabase) async throws -> Int {
        let rows = try await db.raw("""
            SELECT started_at, finished_at FROM steps
            WHERE pipeline_id = \(bind: pipelineID) AND started_at IS NOT NULL AND finished_at IS NOT NULL
            """).all()
        var millis: Int64 = 0
        for row in rows {
            millis += max(0, try row.int64("finished_at") - row.int64("started_at"))
        }
        return Int((millis + 59_999) / 60_000)
    }
}
