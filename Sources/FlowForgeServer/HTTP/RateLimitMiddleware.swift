import FlowForgeStore
import Hummingbird

/// Fixed-window request counting per client (`RATE_LIMIT_MAX_REQUESTS` per `RATE_LIMIT_WINDOW` ms), kept in
/// this process's memory: each replica limits on its own, which bounds a client at replicas × the limit.
actor RateLimiter {
    let window: Int64
    let limit: Int
    private var windows: [String: (start: Int64, count: Int)] = [:]

    init(windowMillis: Int, limit: Int) {
        self.window = Int64(windowMillis)
        self.limit = limit
    }

    /// Counts one request; nil when allowed, else the milliseconds until the client's window ends.
    func admit(_ client: String, now: Int64) -> Int64? {
        if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < window } }
        var entry = windows[client] ?? (start: now, count: 0)
        if now - entry.start >= window { entry = (start: now, count: 0) }
        entry.count += 1
        windows[client] = entry
        return entry.count > limit ? entry.start + window - now : nil
    }
}

/// Answers 429 with `Retry-After` once a client (its bearer token, else its address) used up its window.
/// Forge webhooks are not counted: they are verified by signature and come in bursts from few addresses.
struct RateLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path.hasPrefix("/v1/"), !path.hasPrefix("/api/webhooks/") else {
            return try await next(request, context)
        }
        let client = request.bearerToken.map { "token:" + SecretHashing.sha256Hex($0) }
            ?? "address:" + (context.remoteAddress?.ipAddress ?? "unknown")
        if let wait = await limiter.admit(client, now: Clock.nowMillis()) {
            let seconds = max(1, (wait + 999) / 1000)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "too many requests; try again in \(seconds) s (RATE_LIMIT_MAX_REQUESTS per RATE_LIMIT_WINDOW)",
                headers: [.retryAfter: String(seconds)]
            )
        }
        return try await next(request, context)
    }
}
