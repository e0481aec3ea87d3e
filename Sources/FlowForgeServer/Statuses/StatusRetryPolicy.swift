import Foundation
import NIOHTTP1

/// When to try a status again: exponential backoff with jitter, unless the forge said when.
struct StatusRetryPolicy: Sendable {
    /// The first delay; each further attempt doubles it, up to `maxDelay`.
    var baseDelayMillis: Int64
    var maxDelayMillis: Int64 = 10 * 60 * 1000
    /// A status older than this is given up rather than tried again: a day-old "pending" misleads more
    /// than it informs.
    var giveUpAfterMillis: Int64 = 24 * 3600 * 1000

    /// The delay before attempt `attempts + 1`: half fixed, half random, so senders that failed together
    /// (a forge outage) do not all retry in the same instant.
    func backoff(attempts: Int) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 30)
        let full = min(baseDelayMillis.multipliedReportingOverflow(by: 1 << exponent).partialValue, maxDelayMillis)
        let half = max(full / 2, 1)
        return half + Int64.random(in: 0...half)
    }

    /// The time the forge asked us to wait until, in epoch ms, if it said: `Retry-After` (seconds or an
    /// HTTP date), or GitHub's `X-RateLimit-Remaining: 0` with `X-RateLimit-Reset` (epoch seconds).
    static func serverHint(_ headers: HTTPHeaders, nowMillis: Int64) -> Int64? {
        if let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = Int64(value) { return nowMillis + max(seconds, 0) * 1000 }
            if let date = httpDate(value) { return max(Int64(date.timeIntervalSince1970 * 1000), nowMillis) }
        }
        if headers.first(name: "x-ratelimit-remaining") == "0",
           let reset = headers.first(name: "x-ratelimit-reset").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
            return max(reset * 1000, nowMillis)
        }
        return nil
    }

    private static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
