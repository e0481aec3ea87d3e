import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// `GET /api/user/usage` (access token) and `GET /api/v1/usage` (API key): this month's metered usage
/// against the account's plan, and the last six months.
struct UsageController {
    let users: any UserRepository
    let usage: any UsageRepository
    let plans: PlanCatalog

    /// Months in `history`: the current one and the five before it, oldest first.
    static let historyMonths = 6

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("usage", use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> UsageView {
        let userID = try context.requireUser()
        guard let user = try await users.find(id: userID) else { throw APIError.unauthorized }
        let plan = plans.effectivePlan(id: user.plan)
        let month = UsageMonth(millis: Clock.nowMillis())
        let months = (0..<Self.historyMonths).reversed().map { month.adding(months: -$0) }
        let history = try await usage.usage(userID: userID, months: months)
        let current = history.last ?? MonthlyUsage(month: month, pipelineRuns: 0, computeMinutes: 0)
        return UsageView(plan: plan, current: current, history: history)
    }

    struct UsageView: ResponseEncodable {
        let month: String
        let plan: String
        let pipelineRuns: Int
        let computeMinutes: Int
        let limits: Limits
        let remaining: Remaining
        let resetsAt: Date
        let history: [Month]

        init(plan: SubscriptionPlan, current: MonthlyUsage, history: [MonthlyUsage]) {
            month = current.month.id
            self.plan = plan.id
            pipelineRuns = current.pipelineRuns
            computeMinutes = current.computeMinutes
            limits = Limits(pipelineRuns: plan.pipelineRuns, computeMinutes: plan.computeMinutes, concurrentBuilds: plan.concurrentBuilds)
            remaining = Remaining(
                pipelineRuns: plan.pipelineRuns.map { max(0, $0 - current.pipelineRuns) },
                computeMinutes: plan.computeMinutes.map { max(0, $0 - current.computeMinutes) })
            resetsAt = current.month.resetsAt
            self.history = history.map { Month(month: $0.month.id, pipelineRuns: $0.pipelineRuns, computeMinutes: $0.computeMinutes) }
        }
    }

    /// `null` is unlimited; the keys are always there.
    struct Limits: Encodable {
        let pipelineRuns: Int?
        let computeMinutes: Int?
        let concurrentBuilds: Int

        enum CodingKeys: String, CodingKey { case pipelineRuns, computeMinutes, concurrentBuilds }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(pipelineRuns, forKey: .pipelineRuns)
            try container.encode(computeMinutes, forKey: .computeMinutes)
            try container.encode(concurrentBuilds, forKey: .concurrentBuilds)
        }
    }

    /// `null` is unlimited; the keys are always there.
    struct Remaining: Encodable {
        let pipelineRuns: Int?
        let computeMinutes: Int?

        enum CodingKeys: String, CodingKey { case pipelineRuns, computeMinutes }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(pipelineRuns, forKey: .pipelineRuns)
            try container.encode(computeMinutes, forKey: .computeMinutes)
        }
    }

    struct Month: Encodable {
        let month: String
        let pipelineRuns: Int
        let computeMinutes: Int
    }
}

extension UsageController {
    init(services: AppServices) {
        self.init(users: services.users, usage: SQLUsageRepository(database: services.database), plans: services.configuration.plans)
    }
}
