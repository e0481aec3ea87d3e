import FlowForgeCore
import FlowForgeStore
import Crypto
import Foundation
import Logging

/// Stripe billing for accounts: a customer per account, Checkout for new subscriptions, the Customer Portal
/// for everything after, and invoices. Present only when billing is on (`STRIPE_SECRET_KEY`).
struct BillingService: Sendable {
    let settings: StripeSettings
    let stripe: any StripeAPI
    let store: any BillingRepository
    let plans: PlanCatalog
    let logger: Logger

    /// Invoices listed by `GET /api/billing/invoices`.
    static let invoiceLimit = 24

    /// The account's Stripe customer, created on first use. The idempotency key is the account's and its
    /// parameters', so two subscribes racing get one customer from Stripe (the conditional store keeps whichever
    /// came first), while a retry after an email change sends a new key: Stripe refuses a key reused with other
    /// parameters for 24 hours.
    func customer(for user: UserRecord) async throws -> String {
        if let existing = try await store.customerID(userID: user.id) { return existing }
        let created = try await stripe.createCustomer(email: user.email, accountID: user.id, idempotencyKey: Self.customerIdempotencyKey(user))
        guard let kept = try await store.claimCustomerID(userID: user.id, customerID: created.id) else { throw APIError.unauthorized }
        if kept != created.id {
            logger.warning("a second Stripe customer was created for an account; the first is kept", metadata: [
                "user_id": "\(user.id)", "kept_customer": "\(kept)", "unused_customer": "\(created.id)",
            ])
        } else {
            logger.info("Stripe customer created", metadata: ["user_id": "\(user.id)", "stripe_customer": "\(kept)"])
        }
        return kept
    }

    /// The paid plan `planID` names, or a 422 that says which plans can be bought.
    func paidPlan(_ planID: String?) throws -> (plan: SubscriptionPlan, price: String) {
        let sold = plans.plans.filter { settings.prices[$0.id] != nil }.map(\.id).joined(separator: ", ")
        guard let planID else { throw APIError.validation("plan", "is required: one of \(sold)") }
        if planID == PlanCatalog.freePlanID {
            throw APIError.validation("plan", "free needs no subscription; to leave a paid plan, cancel it in the billing portal (POST /api/billing/portal). Plans to subscribe to: \(sold)")
        }
        guard let plan = plans.plan(id: planID), let price = settings.prices[planID] else {
            throw APIError.validation("plan", "must be one of \(sold), got \"\(planID)\"")
        }
        return (plan, price)
    }

    /// A Checkout page for `planID`; the account's plan changes only when Stripe reports the payment.
    func checkoutURL(for user: UserRecord, planID: String?) async throws -> String {
        let (plan, price) = try paidPlan(planID)
        do {
            let customer = try await customer(for: user)
            let session = try await stripe.createCheckoutSession(
                StripeCheckoutRequest(
                    customer: customer, priceID: price, accountID: user.id, planID: plan.id,
                    successURL: settings.successURL, cancelURL: settings.cancelURL),
                idempotencyKey: UUID().uuidString.lowercased())
            logger.info("checkout session created", metadata: ["user_id": "\(user.id)", "plan": "\(plan.id)", "stripe_session": "\(session.id)"])
            return session.url
        } catch let error as StripeError {
            throw failure(error, userID: user.id, call: "checkout")
        }
    }

    /// A Customer Portal page for the account.
    func portalURL(for user: UserRecord) async throws -> String {
        do {
            let customer = try await customer(for: user)
            return try await stripe.createPortalSession(
                customer: customer, returnURL: settings.portalReturnURL, idempotencyKey: UUID().uuidString.lowercased()
            ).url
        } catch let error as StripeError {
            throw failure(error, userID: user.id, call: "portal")
        }
    }

    /// The account's invoices from Stripe, newest first; none before its first subscribe.
    func invoices(userID: String) async throws -> [StripeInvoice] {
        guard let customer = try await store.customerID(userID: userID) else { return [] }
        do {
            return try await stripe.invoices(customer: customer, limit: Self.invoiceLimit)
        } catch let error as StripeError {
            throw failure(error, userID: userID, call: "invoices")
        }
    }
}

extension BillingService {
    /// `flowforge-customer-<account>-<hash of the parameters sent>`.
    static func customerIdempotencyKey(_ user: UserRecord) -> String {
        let digest = SHA256.hash(data: Array("\(user.id)\u{0}\(user.email)".utf8))
        return "flowforge-customer-\(user.id)-" + digest.prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// Stripe's own words (which may name its request ids, parameters or internals) go to the log with the
    /// account; the client gets a fixed sentence.
    func failure(_ error: StripeError, userID: String, call: String) -> APIError {
        logger.error("Stripe call failed", metadata: ["user_id": "\(userID)", "stripe_call": "\(call)", "stripe_error": "\(error)"])
        return APIError(stripe: error)
    }

    static func make(configuration: AppConfiguration, database: Database, logger: Logger) -> BillingService? {
        guard let settings = configuration.stripe else { return nil }
        return BillingService(
            settings: settings,
            stripe: StripeClient(baseURL: settings.apiBase, secretKey: settings.secretKey, http: .shared, logger: logger),
            store: SQLBillingRepository(database: database), plans: configuration.plans, logger: logger)
    }
}

extension APIError {
    /// 503 when billing is off: the message names what the operator sets.
    static let billingDisabled = APIError(
        .serviceUnavailable, code: "billing_disabled",
        message: "billing is off on this server: the operator sets STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_PRO and STRIPE_PRICE_ENTERPRISE to turn it on; meanwhile plans are set with `flowforge admin set-plan EMAIL PLAN`")

    /// What a client is told when Stripe did not do what was asked.
    init(stripe error: StripeError) {
        switch error {
        case .refused(let status, _, _, _) where status == 401 || status == 403:
            self.init(.badGateway, code: "stripe_error", message: "Stripe did not accept this server's STRIPE_SECRET_KEY; the operator must check it. Nothing was charged.")
        case .refused:
            self.init(.badGateway, code: "stripe_error", message: "Stripe refused the request; nothing was charged. Try again, or contact support if it persists.")
        case .unreachable:
            self.init(.serviceUnavailable, code: "stripe_unavailable", message: "Stripe could not be reached; nothing was charged. Try again in a minute.")
        case .unreadable:
            self.init(.badGateway, code: "stripe_error", message: "Stripe's answer could not be read; nothing was charged. Try again in a minute.")
        }
    }
}
