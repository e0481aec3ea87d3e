import FlowForgeCore
import FlowForgeStore
import Logging

/// Registration with a paid plan (pick a plan → register → pay): the new account is free, and its session
/// carries the Checkout page that pays for the plan. The account exists either way, so a failure here is
/// told in `billing_notice` rather than failing the registration; the user can subscribe later.
struct PaidSignUp {
    let billing: BillingService?
    let logger: Logger

    func start(_ session: SessionResponse, user: UserRecord, plan: String) async -> SessionResponse {
        var session = session
        guard let billing else {
            session.billingNotice = "the account is on the free plan: billing is off on this server, so the \(plan) plan cannot be bought here; an operator can set it with `flowforge admin set-plan \(user.email) \(plan)`"
            return session
        }
        do {
            session.checkoutURL = try await billing.checkoutURL(for: user, planID: plan)
        } catch {
            let reason = (error as? APIError)?.message ?? "the payment page could not be created"
            logger.warning("checkout at registration failed", metadata: ["user_id": "\(user.id)", "error": "\(error)"])
            session.billingNotice = "the account is on the free plan for now: \(reason) Subscribe with POST /api/billing/subscribe {\"plan\": \"\(plan)\"}."
        }
        return session
    }
}
