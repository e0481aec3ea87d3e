import Foundation

/// The part of Stripe's REST API that FlowForge uses.
///
/// Contract: every method either returns what Stripe answered or throws a `StripeError` (Stripe refused
/// the request, was unreachable, or answered something that could not be read). Every `create…` takes an
/// idempotency key, sent as `Idempotency-Key`: calling it twice with the same key (a retry, or two requests
/// racing) makes Stripe create one object and answer both calls with it. Reads are safe to repeat.
protocol StripeAPI: Sendable {
    /// `POST /v1/customers` with the email and `metadata[account_id]`.
    func createCustomer(email: String, accountID: String, idempotencyKey: String) async throws -> StripeObjectRef
    /// `POST /v1/checkout/sessions` in subscription mode; the answer carries the page's `url`.
    func createCheckoutSession(_ session: StripeCheckoutRequest, idempotencyKey: String) async throws -> StripeHostedPage
    /// `POST /v1/billing_portal/sessions` for `customer`, coming back to `returnURL`.
    func createPortalSession(customer: String, returnURL: String, idempotencyKey: String) async throws -> StripeHostedPage
    /// `GET /v1/subscriptions/{id}`: its current state, or nil when Stripe has no such subscription.
    func subscription(id: String) async throws -> StripeSubscription?
    /// `GET /v1/invoices?customer=…`: the customer's most recent invoices, newest first.
    func invoices(customer: String, limit: Int) async throws -> [StripeInvoice]
}

/// What a Checkout Session for a new subscription needs.
struct StripeCheckoutRequest: Sendable, Equatable {
    var customer: String
    var priceID: String
    var accountID: String
    var planID: String
    var successURL: String
    var cancelURL: String

    /// The form fields, in Stripe's bracket notation.
    var form: [(String, String)] {
        [
            ("mode", "subscription"),
            ("customer", customer),
            ("client_reference_id", accountID),
            ("line_items[0][price]", priceID),
            ("line_items[0][quantity]", "1"),
            ("success_url", successURL),
            ("cancel_url", cancelURL),
            // The subscription carries the account too, so events about it find the account without a lookup.
            ("subscription_data[metadata][account_id]", accountID),
            ("subscription_data[metadata][plan]", planID),
        ]
    }
}

struct StripeObjectRef: Decodable, Sendable {
    let id: String
}

/// A Checkout or Customer Portal session: a Stripe-hosted page the user is sent to.
struct StripeHostedPage: Decodable, Sendable {
    let id: String
    let url: String
}

struct StripeSubscription: Decodable, Sendable {
    let id: String
    let customer: String
    let status: String
    let cancelAtPeriodEnd: Bool?
    /// Seconds since 1970. On older API versions it is here; on newer ones on each item.
    let currentPeriodEnd: Int64?
    let items: Items
    let metadata: [String: String]?

    struct Items: Decodable, Sendable {
        let data: [Item]
    }

    struct Item: Decodable, Sendable {
        let price: Ref?
        /// Stripe's older `plan` object; its id is the price id (localstripe only has plans).
        let plan: Ref?
        let currentPeriodEnd: Int64?
    }

    struct Ref: Decodable, Sendable {
        let id: String
    }

    var priceID: String? { items.data.first.flatMap { $0.price?.id ?? $0.plan?.id } }
    var periodEnd: Int64? { currentPeriodEnd ?? items.data.first?.currentPeriodEnd }
}

struct StripeInvoice: Decodable, Sendable {
    let id: String
    let number: String?
    let total: Int?
    let amountDue: Int?
    let currency: String?
    let status: String?
    let hostedInvoiceUrl: String?
    let periodStart: Int64?
    let periodEnd: Int64?
    let created: Int64?
}

struct StripeList<Element: Decodable & Sendable>: Decodable, Sendable {
    let data: [Element]
}
