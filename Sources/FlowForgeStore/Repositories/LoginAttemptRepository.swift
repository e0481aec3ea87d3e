import Foundation
import SQLKit

/// Failed sign-in counters, keyed by `pair:<address>|<email>`, `ip:<address>` or `email:<email>`, stored so every
/// replica sees them.
public protocol LoginAttemptRepository: Sendable {
    /// Milliseconds-since-1970 until which `key` is locked, or nil when it may try now.
    func lockedUntil(key: String, now: Int64) async throws -> Int64?
    /// Counts a failure; once `freeFailures` have happened within `window` ms, each further failure locks the
    /// key for a doubling delay (`baseDelay` × 2ⁿ, capped at `maxDelay`). Returns the new lock end, if any.
    /// Atomic: concurrent failures of one key each count once.
    func recordFailure(key: String, now: Int64, window: Int64, freeFailures: Int, baseDelay: Int64, maxDelay: Int64) async throws -> Int64?
    /// Forgets the key's failures (after a successful sign-in).
    func reset(key: String) async throws
    /// Takes one counted attempt back (an attempt counted before it was known to succeed); never below zero.
    func forgiveOne(key: String) async throws
}

public struct SQLLoginAttemptRepository: LoginAttemptRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func lockedUntil(key: String, now: Int64) async throws -> Int64? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT locked_until FROM login_attempts WHERE key = \(bind: key)").first(),
                  let until = try row.optionalInt64("locked_until"), until > now
            else { return nil }
            return until
        }
    }

    public func recordFailure(key: String, now: Int64, window: Int64, freeFailures: Int, baseDelay: Int64, maxDelay: Int64) async throws -> Int64? {
        try await database.withConnection { db in
            // One statement counts: parallel failures each add one (a read-then-write would lose some under
            // PostgreSQL's read committed). A window that ran out starts again at this failure.
            let cutoff = now - window
            guard let row = try await db.raw("""
                INSERT INTO login_attempts (key, failures, first_failure_at, locked_until)
                VALUES (\(bind: key), 1, \(bind: now), NULL)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN login_attempts.first_failure_at > \(bind: cutoff)
                        THEN login_attempts.failures + 1 ELSE 1 END,
                    first_failure_at = CASE WHEN login_attempts.first_failure_at > \(bind: cutoff)
                        THEN login_attempts.first_failure_at ELSE \(bind: now) END,
                    locked_until = CASE WHEN login_attempts.first_failure_at > \(bind: cutoff)
                        THEN login_attempts.locked_until ELSE NULL END
                RETURNING failures
                """).first() else { return nil }
            let failures = try row.int64("failures")
            guard failures > Int64(freeFailures) else { return nil }
            let exponent = min(failures - Int64(freeFailures) - 1, 20)
            let lockedUntil = now + min(baseDelay << exponent, maxDelay)
            // Only ever lengthens a lock, so a slower parallel failure with a smaller count cannot shorten it.
            try await db.raw("""
                UPDATE login_attempts SET locked_until = \(bind: lockedUntil)
                WHERE key = \(bind: key) AND (locked_until IS NULL OR locked_until < \(bind: lockedUntil))
                """).run()
            return lockedUntil
        }
    }

    /// Failures counted for `key` in its current window (0 when none); for tests and diagnostics.
    public func failures(key: String) async throws -> Int64 {
        try await database.withConnection { db in
            try await db.raw("SELECT failures FROM login_attempts WHERE key = \(bind: key)").first()?.int64("failures") ?? 0
        }
    }

    public func forgiveOne(key: String) async throws {
        try await database.withConnection { db in
            try await db.raw("UPDATE login_attempts SET failures = failures - 1 WHERE key = \(bind: key) AND failures > 0").run()
        }
    }

    public func reset(key: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM login_attempts WHERE key = \(bind: key)").run()
        }
    }
}
