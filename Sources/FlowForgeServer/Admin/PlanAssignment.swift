import FlowForgeCore
import FlowForgeStore
import Foundation
import Logging

/// `flowforge admin set-plan EMAIL PLAN`: puts an account on a plan by hand, for servers without Stripe
/// (billing off) or to correct an account. It writes the same `users.plan` the limits read, so it takes
/// effect at the account's next pipeline. With billing on, Stripe's next event about the account's
/// subscription sets the plan again from what Stripe holds.
public struct PlanAssignment: Sendable {
    let catalog: PlanCatalog
    let store: any BillingRepository
    let billingEnabled: Bool
    let logger: Logger

    public init(configuration: AppConfiguration, database: Database, logger: Logger) {
        self.init(
            catalog: configuration.plans, store: SQLBillingRepository(database: database),
            billingEnabled: configuration.stripe != nil, logger: logger)
    }

    init(catalog: PlanCatalog, store: any BillingRepository, billingEnabled: Bool, logger: Logger) {
        self.catalog = catalog
        self.store = store
        self.billingEnabled = billingEnabled
        self.logger = logger
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unknownPlan(String, known: [String])
        case unknownAccount(String)

        public var description: String {
            switch self {
            case .unknownPlan(let plan, let known):
                "no plan \"\(plan)\": the plans are \(known.joined(separator: ", ")) (FLOWFORGE_PLANS_FILE sets others)"
            case .unknownAccount(let email):
                "no account has the email \(email); check the address (it is the one the account signs in with)"
            }
        }
    }

    /// Checks the plan id against the catalog before anything is opened.
    public func validate(plan: String) throws {
        guard catalog.plan(id: plan) != nil else { throw Failure.unknownPlan(plan, known: catalog.plans.map(\.id)) }
    }

    /// Sets the plan and returns what to print.
    public func run(email rawEmail: String, plan: String) async throws -> String {
        try validate(plan: plan)
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        guard let userID = try await store.setPlan(email: email, plan: plan, at: Clock.nowMillis()) else {
            throw Failure.unknownAccount(email)
        }
        logger.notice("plan set by an operator", metadata: ["user_id": "\(userID)", "plan": "\(plan)"])
        var text = "\(email) is now on the \(plan) plan"
        if billingEnabled, let subscription = try await store.subscription(userID: userID),
           StripeEventProcessor.liveStatuses.contains(subscription.status) {
            text += "; note: the account has a Stripe subscription (\(subscription.plan), \(subscription.status)), and Stripe's next event about it sets the plan from Stripe again"
        }
        return text
    }
}
