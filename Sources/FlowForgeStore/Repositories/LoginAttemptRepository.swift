import Foundation
import SQLKit

/// Failed sign-in counters, keyed by `email:<address>` or `ip:<address>`, stored so every replica sees them.
public protocol LoginAttemptRepository: Sendable {
    /// Milliseconds-since-1970 until which `key` is locked, or nil when it may try now.
    func lockedUntil(key: String, now: Int64) async throws -> Int64?
    /// Counts a failure; once `freeFailures` have happened within `window` ms, each further failure locks the
    /// key for a doubling delay (`baseDelay` × 2ⁿ, capped at `maxDelay`). Returns the new lock end, if any.
    func recordFailure(key: String, now: Int64, window: Int64, freeFailures: Int, baseDelay: Int64, maxDelay: Int64) async throws -> Int64?
    /// Forgets the key's failures (after a successful sign-in).
    func reset(key: String) async throws
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
        try await database.transaction { db in
            let row = try await db.raw("SELECT failures, first_failure_at FROM login_attempts WHERE key = \(bind: key)").first()
            var failures: Int64 = 1
            var firstFailure = now
            if let row, try row.int64("first_failure_at") > now - window {
                failures = try row.int64("failures") + 1
                firstFailure = try row.int64("first_failure_at")
            }
            var lockedUntil: Int64?
            if failures > Int64(freeFailures) {
                let exponent = min(failures - Int64(freeFailures) - 1, 20)
                lockedUntil = now + min(baseDelay << exponent, maxDelay)
            }
            // Both engines speak this upsert; two concurrent first failures then cannot collide on the key.
            try await db.raw("""
                INSERT INTO login_attempts (key, failures, first_failure_at, locked_until)
                VALUES (\(bind: key), \(bind: failures), \(bind: firstFailure), \(bind: lockedUntil))
                ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
                    first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until
                """).run()
            return lockedUntil
        }
    }

    public func reset(key: String) async throws {
        try await database.withConnection { db in
            try await db.raw("DELETE FROM login_attempts WHERE key = \(bind: key)").run()
        }
    }
}
