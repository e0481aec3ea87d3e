import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// A pipeline the account's plan does not allow this month, in the words its owner reads: which limit,
/// when it resets and how to get more.
struct PlanLimitRefusal: Error, Sendable {
    let reached: UsageLimitReached
    let plan: SubscriptionPlan
    /// The next plan of the catalog that allows more of the limit that was reached, if any.
    let upgrade: SubscriptionPlan?

    init(_ reached: UsageLimitReached, plan: SubscriptionPlan, catalog: PlanCatalog) {
        self.reached = reached
        self.plan = plan
        upgrade = catalog.plans.first { candidate in
            guard candidate.id != plan.id, candidate.priceCents >= plan.priceCents else { return false }
            guard let theirs = Self.allowance(candidate, reached.limit) else { return true }
            return theirs > reached.allowed
        }
    }

    static func allowance(_ plan: SubscriptionPlan, _ limit: UsageLimitReached.Limit) -> Int? {
        limit == .pipelineRuns ? plan.pipelineRuns : plan.computeMinutes
    }

    var what: String { reached.limit == .pipelineRuns ? "pipeline runs" : "compute minutes" }

    /// The first instant of the next month, e.g. `2027-01-01T00:00:00Z`.
    var resetsAt: String { reached.month.resetsAt.formatted(Date.ISO8601FormatStyle()) }

    var message: String {
        var text = "plan limit reached: the \(plan.name) plan includes \(reached.allowed) \(what) a month and \(reached.month.id) has used \(reached.used)"
        if reached.limit == .computeMinutes { text += ", so no pipeline can start" }
        text += "; the count resets at \(resetsAt)."
        if let upgrade {
            let amount = Self.allowance(upgrade, reached.limit).map { "\($0) \(what) a month" } ?? "unlimited \(what)"
            text += " To build now, upgrade to \(upgrade.name) (\(amount)) with POST /api/billing/subscribe {\"plan\": \"\(upgrade.id)\"}; GET /api/billing/plans lists every plan."
        } else {
            text += " This is the largest plan; ask the operator of this FlowForge for a larger one, or wait for the reset."
        }
        return text
    }

    /// The commit status' one line (forges allow 140 bytes).
    var statusDescription: String {
        var text = "Plan limit: \(reached.used)/\(reached.allowed) \(what) used; resets \(reached.month.adding(months: 1).id)-01"
        if let upgrade { text += "; upgrade to \(upgrade.name)" }
        return text
    }

    /// `402 {"error": {"code": "plan_limit_reached", …}}` for the API.
    var apiError: APIError { APIError(.init(code: 402, reasonPhrase: "Payment Required"), code: "plan_limit_reached", message: message) }
}
