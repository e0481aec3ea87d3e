import FlowForgeStore
import Foundation
import Hummingbird

/// Slows password guessing: a few free failures per email and per client address within a window, then a
/// doubling lock (1 s, 2 s, 4 s … up to 15 min) answered with 429 and `Retry-After`.
struct LoginThrottle: Sendable {
    let attempts: any LoginAttemptRepository
    var window: Int64 = 15 * 60 * 1000
    var freeFailuresPerEmail = 5
    var freeFailuresPerAddress = 20
    var baseDelay: Int64 = 1000
    var maxDelay: Int64 = 15 * 60 * 1000

    static func keys(email: String, address: String) -> (email: String, address: String) {
        ("email:" + email, "ip:" + address)
    }

    /// Throws 429 when either key is locked now.
    func check(email: String, address: String) async throws {
        let keys = Self.keys(email: email, address: address)
        let now = Clock.nowMillis()
        let locks = [try await attempts.lockedUntil(key: keys.email, now: now), try await attempts.lockedUntil(key: keys.address, now: now)]
        if let until = locks.compactMap({ $0 }).max() {
            let seconds = max(1, Int((until - now + 999) / 1000))
            var headers = HTTPFields()
            headers[.retryAfter] = String(seconds)
            throw APIError(
                .tooManyRequests, code: "too_many_attempts",
                message: "too many failed sign-ins; wait \(seconds) s before trying again", headers: headers
            )
        }
    }

    func recordFailure(email: String, address: String) async throws {
        let keys = Self.keys(email: email, address: address)
        let now = Clock.nowMillis()
        _ = try await attempts.recordFailure(key: keys.email, now: now, window: window, freeFailures: freeFailuresPerEmail, baseDelay: baseDelay, maxDelay: maxDelay)
        _ = try await attempts.recordFailure(key: keys.address, now: now, window: window, freeFailures: freeFailuresPerAddress, baseDelay: baseDelay, maxDelay: maxDelay)
    }

    func recordSuccess(email: String) async throws {
        try await attempts.reset(key: "email:" + email)
    }
}
