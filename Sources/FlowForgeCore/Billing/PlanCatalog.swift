/// The plans accounts choose from. The product's catalog is `standard`; an operator may replace it with a
/// file (`PlanCatalog.parse`). Kept in the process, not the database, and loaded once at start-up: every
/// replica of one installation reads the same catalog, so the limits the scheduler enforces do not drift.
public struct PlanCatalog: Sendable, Equatable {
    /// In the order they are offered (cheapest first).
    public let plans: [SubscriptionPlan]

    /// The id of the plan new accounts get, and the plan an account falls back to when its own is unknown.
    public static let freePlanID = "free"

    /// `plans` must hold a plan with id `freePlanID` and no id twice (`parse` checks both).
    public init(plans: [SubscriptionPlan]) {
        self.plans = plans
    }

    public func plan(id: String) -> SubscriptionPlan? { plans.first { $0.id == id } }

    /// The free plan.
    public var free: SubscriptionPlan { plan(id: Self.freePlanID) ?? plans[0] }

    /// The account's plan; an id the catalog no longer has (an operator removed the plan) gets the free
    /// plan's limits rather than none.
    public func effectivePlan(id: String) -> SubscriptionPlan { plan(id: id) ?? free }

    /// The product's catalog, served by `GET /api/billing/plans` unless `FLOWFORGE_PLANS_FILE` replaces it.
    public static let standard = PlanCatalog(plans: [
        SubscriptionPlan(
            id: "free", name: "Free", priceCents: 0, pipelineRuns: 50, computeMinutes: 100, concurrentBuilds: 1,
            features: ["Basic CI/CD", "Community Support"],
            stepLimits: PlanStepLimits(memoryBytes: 1 * PlanStepLimits.gibibyte, nanoCPUs: 1_000_000_000, pids: 512))
            .storing(PlanStorageLimits(artifactBytes: 1 * PlanStepLimits.gibibyte, cacheBytes: 512 << 20)),
        SubscriptionPlan(
            id: "pro", name: "Pro", priceCents: 2900, pipelineRuns: 500, computeMinutes: 1000, concurrentBuilds: 3,
            features: ["Advanced CI/CD", "Priority Support", "Custom Environments"],
            stepLimits: PlanStepLimits(memoryBytes: 4 * PlanStepLimits.gibibyte, nanoCPUs: 2_000_000_000, pids: 1024))
            .storing(PlanStorageLimits(artifactBytes: 10 * PlanStepLimits.gibibyte, cacheBytes: 2 * PlanStepLimits.gibibyte)),
        SubscriptionPlan(
            id: "enterprise", name: "Enterprise", priceCents: 9900, pipelineRuns: 2000, computeMinutes: 5000, concurrentBuilds: 10,
            features: ["Unlimited CI/CD", "24/7 Support", "Custom Integrations", "SLA"],
            stepLimits: PlanStepLimits(memoryBytes: 8 * PlanStepLimits.gibibyte, nanoCPUs: 4_000_000_000, pids: 4096))
            .storing(PlanStorageLimits(artifactBytes: 100 * PlanStepLimits.gibibyte, cacheBytes: 10 * PlanStepLimits.gibibyte)),
    ])
}

extension SubscriptionPlan {
    /// This plan with other storage limits.
    public func storing(_ storage: PlanStorageLimits) -> SubscriptionPlan {
        var plan = self
        plan.storage = storage
        return plan
    }
}
