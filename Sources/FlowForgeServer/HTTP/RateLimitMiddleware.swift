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

    /// The allowance of a client without a plan of its own (`RATE_LIMIT_MAX_REQUESTS`).
    var baseLimit: Int { table.withLock { $0.limit } }
    /// The window's length, for messages.
    var windowSeconds: Int64 { table.withLock { $0.window } / 1000 }

    /// Counts one request; nil when allowed, else the milliseconds until the client's window ends.
    func admit(_ client: String, now: Int64) -> Int64? {
        table.withLock { $0.admit(client, now: now) }
    }

    /// Counts one request against `limit` (the base limit when nil) and says how the window stands.
    func decide(_ client: String, now: Int64, limit: Int? = nil) -> RateLimitDecision {
        table.withLock { $0.decide(client, now: now, limit: limit ?? $0.limit) }
    }

    /// Takes back one request counted by `admit` (one that turned out not to belong to this bucket).
    func refund(_ client: String, now: Int64) {
        table.withLock { $0.refund(client, now: now) }
    }
}

/// Answers 429 with `Retry-After` once a client used up its window, and reports the window on every answer
/// of a limited route (`X-RateLimit-Limit`, `-Remaining`, `-Reset`; see `RateLimitDecision`), errors included.
///
/// A client is the account of a verified access token, the verified API key, or else its address: an
/// unverified `Authorization` header counts against the address, so random bearer strings do not buy fresh
/// windows. The allowance scales with the account's plan (`RateLimitPlans`). Forge webhooks
/// (`/api/webhooks/*`) are counted per address in a limiter of their own, because they come in bursts from a
/// few forge addresses and must not eat the API allowance of a user behind the same NAT.
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
        let decision: RateLimitDecision
        let setting: String
        // Stripe's events come from Stripe's few addresses like a forge's, so they share the webhook limiter.
        if path.hasPrefix("/api/webhooks/") || path == "/api/billing/webhooks" {
            decision = webhookLimiter.decide("address:" + RateLimitIdentities.addressKey(context.remoteAddress), now: Clock.nowMillis())
            setting = "FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW"
        } else if let lookup = Self.admitKeyLookup(request, context: context, limiter: limiter), !lookup.allowed {
            decision = lookup
            setting = "RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW"
        } else {
            let client = try await identities.client(of: request, context: &context)
            if context.verifiedAPIKey != nil {
                limiter.refund(Self.lookupBucket(context), now: Clock.nowMillis())
            }
            decision = limiter.decide(
                client.bucket, now: Clock.nowMillis(), limit: RateLimitPlans.limit(base: limiter.baseLimit, plan: client.plan))
            setting = client.plan.map { plan in
                let upgrade = plan == "enterprise" ? "" : "; a higher plan allows more"
                return "the \(plan) plan allows \(decision.limit) requests per \(limiter.windowSeconds) s\(upgrade)"
            } ?? "RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW"
        }
        if let seconds = decision.retryAfterSeconds {
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many requests; try again in \(seconds) s (\(setting))",
                headers: decision.headers
            )
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: decision.headers)
            return response
        } catch var error as APIError {
            error.headers.append(contentsOf: decision.headers)
            throw error
        } catch let error as HTTPError {
            var mapped = ErrorMiddleware<AppRequestContext>.map(error)
            mapped.headers.append(contentsOf: decision.headers)
            throw mapped
        }
    }
}

extension RateLimitMiddleware {
    /// An `ff_` bearer costs an HMAC and a database lookup before its bucket is known, so made-up keys are
    /// counted against their address's lookup bucket *first* and looked up only while it has room; a key that
    /// verifies is refunded, so real keys never use it up. Nil when there is no lookup to count.
    static func admitKeyLookup(_ request: Request, context: AppRequestContext, limiter: RateLimiter) -> RateLimitDecision? {
        guard let token = request.bearerToken, token.hasPrefix("ff_") else { return nil }
        return limiter.decide(lookupBucket(context), now: Clock.nowMillis())
    }

    static func lookupBucket(_ context: AppRequestContext) -> String {
        "lookup:" + RateLimitIdentities.addressKey(context.remoteAddress)
    }
}
