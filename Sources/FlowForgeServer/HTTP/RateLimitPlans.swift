/// How a plan scales the API rate limit: `RATE_LIMIT_MAX_REQUESTS` per `RATE_LIMIT_WINDOW` is the free
/// plan's allowance; pro gets 5 times it and enterprise 20 times. A plan id FlowForge does not know (an
/// operator's own, from `FLOWFORGE_PLANS_FILE`) gets the free allowance, as does a request without a
/// verified account.
enum RateLimitPlans {
    static let multipliers: [String: Int] = ["free": 1, "pro": 5, "enterprise": 20]

    /// The window's allowance of an account on `plan` (nil: no account), never past `Int.max`.
    static func limit(base: Int, plan: String?) -> Int {
        let factor = plan.flatMap { multipliers[$0] } ?? 1
        let (product, overflow) = base.multipliedReportingOverflow(by: factor)
        return overflow ? Int.max : product
    }
}
