import HTTPTypes
import Hummingbird

/// The outcome of counting one request against its client's window, and the headers that report it.
struct RateLimitDecision: Sendable, Equatable {
    /// Requests allowed in the window for this client (its plan's allowance).
    let limit: Int
    /// Requests left in the window after this one; 0 when refused.
    let remaining: Int
    /// When the window ends, in ms since 1970.
    let resetAtMillis: Int64
    /// Nil when the request is allowed; otherwise the milliseconds until the client may try again.
    let retryAfterMillis: Int64?

    var allowed: Bool { retryAfterMillis == nil }

    /// `Retry-After` in whole seconds, rounded up and never 0 (0 would invite an immediate retry).
    var retryAfterSeconds: Int64? { retryAfterMillis.map { max(1, ($0 + 999) / 1000) } }

    /// `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (Unix time in seconds, rounded up,
    /// as GitHub's API reports it), and `Retry-After` when refused.
    var headers: HTTPFields {
        var fields: HTTPFields = [
            Self.limitHeader: String(limit),
            Self.remainingHeader: String(remaining),
            Self.resetHeader: String((resetAtMillis + 999) / 1000),
        ]
        if let retryAfterSeconds { fields[.retryAfter] = String(retryAfterSeconds) }
        return fields
    }

    static let limitHeader = HTTPField.Name("X-RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("X-RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("X-RateLimit-Reset")!
}
