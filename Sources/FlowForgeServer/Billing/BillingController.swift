import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// `POST /api/billing/subscribe`, `POST /api/billing/portal`, `GET /api/billing/subscription` and
/// `GET /api/billing/invoices`, for the signed-in account (access token). `billing` is nil when billing is
/// off: subscribe and portal then answer 503 `billing_disabled`; the subscription and invoices still answer.
struct BillingController {
    let billing: BillingService?
    let users: any UserRepository
    let store: any BillingRepository

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("subscribe", use: subscribe)
            .post("portal", use: portal)
            .get("subscription", use: subscription)
            .get("invoices", use: invoices)
    }

    struct SubscribeBody: Decodable {
        let plan: String?
    }

    struct CheckoutView: ResponseEncodable {
        let checkoutURL: String
    }

    @Sendable func subscribe(_ request: Request, context: AppRequestContext) async throws -> CheckoutView {
        let user = try await account(context)
        guard let billing else { throw APIError.billingDisabled }
        let body = try await request.decodeJSON(SubscribeBody.self, context: context)
        return CheckoutView(checkoutURL: try await checkoutURL(billing, user: user, plan: body.plan))
    }

    /// A Checkout page for a paid plan, unless the account already pays for one (the dashboard calls this too).
    func checkoutURL(_ billing: BillingService, user: UserRecord, plan: String?) async throws -> String {
        _ = try billing.paidPlan(plan)
        if let current = try await store.subscription(userID: user.id), StripeEventProcessor.liveStatuses.contains(current.status),
           current.plan != PlanCatalog.freePlanID {
            throw APIError(.conflict, code: "already_subscribed", message: "the account already has a \(current.plan) subscription (\(current.status)); change or cancel it in the billing portal (POST /api/billing/portal)")
        }
        return try await billing.checkoutURL(for: user, planID: plan)
    }

    struct PortalView: ResponseEncodable {
        let url: String
    }

    @Sendable func portal(_ request: Request, context: AppRequestContext) async throws -> PortalView {
        let user = try await account(context)
        guard let billing else { throw APIError.billingDisabled }
        return PortalView(url: try await billing.portalURL(for: user))
    }

    struct SubscriptionView: ResponseEncodable {
        let plan: String
        /// Stripe's status, or `none` for an account that never subscribed (or a plan an operator set).
        let status: String
        let currentPeriodEnd: Date?
        let cancelAtPeriodEnd: Bool
        let billingEnabled: Bool
    }

    @Sendable func subscription(_ request: Request, context: AppRequestContext) async throws -> SubscriptionView {
        let user = try await account(context)
        let record = try await store.subscription(userID: user.id)
        return SubscriptionView(
            plan: user.plan, status: record?.status ?? "none",
            currentPeriodEnd: record?.currentPeriodEnd.map { Date(timeIntervalSince1970: Double($0) / 1000) },
            cancelAtPeriodEnd: record?.cancelAtPeriodEnd ?? false, billingEnabled: billing != nil)
    }

    struct InvoicesView: ResponseEncodable {
        struct Invoice: Encodable {
            let id: String
            let number: String?
            /// In the currency's smallest unit (cents), as Stripe gives it.
            let amount: Int
            let currency: String
            let status: String
            let hostedInvoiceURL: String?
            let periodStart: Date?
            let periodEnd: Date?
            let created: Date?
        }
        let invoices: [Invoice]
    }

    @Sendable func invoices(_ request: Request, context: AppRequestContext) async throws -> InvoicesView {
        let user = try await account(context)
        guard let billing else { return InvoicesView(invoices: []) }
        func date(_ seconds: Int64?) -> Date? { seconds.map { Date(timeIntervalSince1970: Double($0)) } }
        return InvoicesView(invoices: try await billing.invoices(userID: user.id).map {
            InvoicesView.Invoice(
                id: $0.id, number: $0.number, amount: $0.total ?? $0.amountDue ?? 0, currency: $0.currency ?? "usd",
                status: $0.status ?? "draft", hostedInvoiceURL: $0.hostedInvoiceUrl,
                periodStart: date($0.periodStart), periodEnd: date($0.periodEnd), created: date($0.created))
        })
    }

    private func account(_ context: AppRequestContext) async throws -> UserRecord {
        guard let user = try await users.find(id: try context.requireUser()) else { throw APIError.unauthorized }
        return user
    }
}
