import FlowForgeStore
import Foundation
import Hummingbird

/// Slows password guessing without handing anyone a way to lock another person out.
///
/// Three counters, each over a 15-minute window (the first two count attempts as they start, see `admit`):
/// - the address and e-mail together (`pair:`): after 5 failures that address is locked out of that account
///   for a doubling delay (1 s, 2 s … up to 15 min), answered with 429 and `Retry-After`;
/// - the address alone (`ip:`): after 20 failures, across any e-mails, the address is locked the same way;
/// - the e-mail alone (`email:`): after 10 failures from anywhere, every sign-in to that account is slowed
///   (up to 2 s before the password is checked) but never refused, so failures sent from someone else's
///   address cannot stop the owner signing in with the right password from theirs.
struct LoginThrottle: Sendable {
    let attempts: any LoginAttemptRepository
    var window: Int64 = 15 * 60 * 1000
    var freeFailuresPerPair = 5
    var freeFailuresPerAddress = 20
    var freeFailuresPerEmail = 10
    var baseDelay: Int64 = 1000
    var maxDelay: Int64 = 15 * 60 * 1000
    /// The slow-down of an e-mail under attack: 250 ms doubling, at most `maxEmailDelay`.
    var emailBaseDelay: Int64 = 250
    var maxEmailDelay: Int64 = 2000

    struct Keys {
        let pair: String
        let address: String
        let email: String
    }

    static func keys(email: String, address: String) -> Keys {
        Keys(pair: "pair:" + address + "|" + email, address: "ip:" + address, email: "email:" + email)
    }

    /// Counts this sign-in attempt against the address and the address+e-mail pair *before* the password is
    /// checked, and throws 429 once either is over its free attempts (or already locked); waits out an
    /// e-mail's slow-down. Counting first is what makes parallel guesses each count: checking, verifying and
    /// only then recording let every request of a burst pass the check before the first failure was written.
    /// `recordSuccess` takes the attempt back off the address.
    func admit(email: String, address: String) async throws {
        let keys = Self.keys(email: email, address: address)
        let now = Clock.nowMillis()
        let locks = [try await attempts.lockedUntil(key: keys.pair, now: now), try await attempts.lockedUntil(key: keys.address, now: now)]
        if let until = locks.compactMap({ $0 }).max() { throw Self.tooMany(until: until, now: now) }
        let counted = [
            try await attempts.recordFailure(key: keys.pair, now: now, window: window, freeFailures: freeFailuresPerPair, baseDelay: baseDelay, maxDelay: maxDelay),
            try await attempts.recordFailure(key: keys.address, now: now, window: window, freeFailures: freeFailuresPerAddress, baseDelay: baseDelay, maxDelay: maxDelay),
        ]
        if let until = counted.compactMap({ $0 }).max() { throw Self.tooMany(until: until, now: now) }
        if let until = try await attempts.lockedUntil(key: keys.email, now: now) {
            try await Task.sleep(for: .milliseconds(min(until - now, maxEmailDelay)))
        }
    }

    static func tooMany(until: Int64, now: Int64) -> APIError {
        let seconds = max(1, Int((until - now + 999) / 1000))
        var headers = HTTPFields()
        headers[.retryAfter] = String(seconds)
        return APIError(
            .tooManyRequests, code: "too_many_attempts",
            message: "too many failed sign-ins from this address; wait \(seconds) s before trying again", headers: headers
        )
    }

    /// A wrong password: the address and pair were counted by `admit` already; this adds the e-mail's count.
    func recordFailure(email: String, address: String) async throws {
        let keys = Self.keys(email: email, address: address)
        _ = try await attempts.recordFailure(
            key: keys.email, now: Clock.nowMillis(), window: window, freeFailures: freeFailuresPerEmail, baseDelay: emailBaseDelay, maxDelay: maxEmailDelay
        )
    }

    /// Forgets this address's failures on the account and the account's slow-down, and takes this attempt
    /// back off the address's counter; the address's earlier failures stay, so one known password does not
    /// reset guessing at others.
    func recordSuccess(email: String, address: String) async throws {
        let keys = Self.keys(email: email, address: address)
        try await attempts.forgiveOne(key: keys.address)
        try await attempts.reset(key: keys.pair)
        try await attempts.reset(key: keys.email)
    }
}
