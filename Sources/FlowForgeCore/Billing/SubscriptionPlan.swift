/// A plan of the public catalog (free / pro / enterprise) and the limits it grants.
/// `nil` limits mean unlimited. Prices are in US cents per month so no floating point reaches billing.
public struct SubscriptionPlan: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var priceCents: Int
    public var pipelineRuns: Int?
    public var computeMinutes: Int?
    public var concurrentBuilds: Int
    public var features: [String]
}

/// The catalog every account chooses from. Kept in code (not the database) because limits are enforced by
/// the scheduler and must not drift between replicas.
public enum PlanCatalog {
    public static let free = SubscriptionPlan(
        id: "free", name: "Free", priceCents: 0, pipelineRuns: 100, computeMinutes: 300, concurrentBuilds: 1,
        features: ["Public and private repositories", "GitHub, GitLab and Bitbucket webhooks", "Community support"]
    )
    public static let pro = SubscriptionPlan(
        id: "pro", name: "Pro", priceCents: 2900, pipelineRuns: 2000, computeMinutes: 3000, concurrentBuilds: 5,
        features: [
            "Everything in Free", "Secrets and environment variables", "Live log streaming", "Email support",
        ]
    )
    public static let enterprise = SubscriptionPlan(
        id: "enterprise", name: "Enterprise", priceCents: 19900, pipelineRuns: nil, computeMinutes: nil,
        concurrentBuilds: 20,
        features: ["Everything in Pro", "Unlimited pipeline runs", "Self-hosted runners", "SSO", "Priority support"]
    )

    public static let all: [SubscriptionPlan] = [free, pro, enterprise]

    public static func plan(id: String) -> SubscriptionPlan? { all.first { $0.id == id } }
}
