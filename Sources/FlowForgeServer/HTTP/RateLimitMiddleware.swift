import FlowForgeStore
import Hummingbird
import Synchronization

/// Fixed-window request counting per client (`RATE_LIMIT_MAX_REQUESTS` per `RATE_LIMIT_WINDOW` ms), kept in
/// this process's memory: each replica limits on its own, which bounds a client at replicas × the limit.
final class RateLimiter: Sendable {
    private let table: Mutex<RateLimitTable>

    init(windowMillis: Int, limit: Int, capacity: Int = 100_000) {
        table = Mutex(RateLimitTable(windowMillis: Int64(windowMillis), limit: limit, capacity: capacity))
    }

    /// Counts one request; nil when allowed, else the milliseconds until the client's window ends.
    func admit(_ client: String, now: Int64) -> Int64? {
        table.withLock { $0.admit(client, now: now) }
    }

    /// Takes back one request counted by `admit` (one that turned out not to belong to this bucket).
    func refund(_ client: String, now: Int64) {
        table.withLock { $0.refund(client, now: now) }
    }
}

/// Answers 429 with `Retry-After` once a client used up its window.
///
/// A client is the account of a verified access token, the verified API key, or else its address: an
/// unverified `Authorization` header counts against the address, so random bearer strings do not buy fresh
/// windows. Forge webhooks (`/api/webhooks/*`) are counted per address in a limiter of their own, because they
/// come in bursts from a few forge addresses and must not eat the API allowance of a user behind the same NAT.
struct RateLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter
    let webhookLimiter: RateLimiter
    let identities: RateLimitIdentities

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/v1/") else {
            return try await next(request, context)
        }
        var context = context
        let wait: Int64?
        let setting: String
        // Stripe's events come from Stripe's few addresses like a forge's, so they share the webhook limiter.
        if path.hasPrefix("/api/webhooks/") || path == "/api/billing/webhooks" {
            wait = webhookLimiter.admit("address:" + RateLimitIdentities.addressKey(context.remoteAddress), now: Clock.nowMillis())
            setting = "FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS"
        } else if let lookupWait = Self.admitKeyLookup(request, context: context, limiter: limiter) {
            wait = lookupWait
            setting = "RATE_LIMIT_MAX_REQUESTS"
        } else {
            let client = try await identities.client(of: request, context: &context)
            if context.verifiedAPIKey != nil {
                limiter.refund(Self.lookupBucket(context), now: Clock.nowMillis())
            }
            wait = limiter.admit(client, now: Clock.nowMillis())
            setting = "RATE_LIMIT_MAX_REQUESTS"
        }
        if let wait {
            let seconds = max(1, (wait + 999) / 1000)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many requests; try again in \(seconds) s (\(setting) per RATE_LIMIT_WINDOW)",
                headers: [.retryAfter: String(seconds)]
            )
        }
        return try await next(request, context)
    }
}

extension RateLimitMiddleware {
    /// An `ff_` bearer costs an HMAC and a database lookup before its bucket is known, so made-up keys are
    /// counted against their address's lookup bucket *first* and looked up only while it has room; a key that
    /// verifies is refunded, so real keys never use it up. Nil when the lookup may go ahead (or there is none).
    static func admitKeyLookup(_ request: Request, context: AppRequestContext, limiter: RateLimiter) -> Int64? {
        guard let token = request.bearerToken, token.hasPrefix("ff_") else { return nil }
        return limiter.admit(lookupBucket(context), now: Clock.nowMillis())
    }

    static func lookupBucket(_ context: AppRequestContext) -> String {
        "lookup:" + RateLimitIdentities.addressKey(context.remoteAddress)
    }
}
