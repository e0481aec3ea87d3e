import FlowForgeCore
import Foundation

/// Stripe billing, on when `STRIPE_SECRET_KEY` is set (see `readStripeSettings`).
public struct StripeSettings: Sendable, Equatable {
    /// `STRIPE_SECRET_KEY`: a secret (`sk_…`) or restricted (`rk_…`) key.
    public var secretKey: String
    /// `STRIPE_WEBHOOK_SECRET`: the signing secret of the webhook endpoint (`whsec_…`).
    public var webhookSecret: String
    /// `STRIPE_API_BASE`: Stripe's API root, without a trailing slash.
    public var apiBase: String
    /// Plan id → Stripe price id (`STRIPE_PRICE_PRO`, `STRIPE_PRICE_ENTERPRISE`, `STRIPE_PRICE_<ID>` for a plans file's paid plans).
    public var prices: [String: String]
    /// `STRIPE_SUCCESS_URL` and `STRIPE_CANCEL_URL`: where Checkout sends the user back.
    public var successURL: String
    public var cancelURL: String
    /// Where the Customer Portal's "return" link goes.
    public var portalReturnURL: String
    /// `STRIPE_PUBLISHABLE_KEY`: for the web app's Stripe.js; FlowForge itself does not use it.
    public var publishableKey: String?
    /// `FLOWFORGE_BILLING_GRACE_DAYS`: how long a `past_due` subscription keeps its plan.
    public var graceDays: Int

    /// The plan a Stripe price sells, if it is one of ours.
    public func planID(forPrice price: String) -> String? {
        prices.first { $0.value == price }?.key
    }

    /// The variable that names `planID`'s price.
    static func priceVariable(planID: String) -> String {
        "STRIPE_PRICE_" + planID.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }
}

extension AppConfiguration {
    /// Billing is off unless `STRIPE_SECRET_KEY` is set; then every paid plan needs its price id and the
    /// webhook endpoint its signing secret, so that a half-configured server never takes money it cannot track.
    mutating func readStripeSettings(_ env: EnvironmentReader) throws {
        graceDays = try env.int("FLOWFORGE_BILLING_GRACE_DAYS", default: 7, range: 0...90)
        let apiBase = try env.url("STRIPE_API_BASE", default: "https://api.stripe.com")
        guard let secretKey = env.string("STRIPE_SECRET_KEY") else {
            stripe = nil
            return
        }
        guard secretKey.hasPrefix("sk_") || secretKey.hasPrefix("rk_") else {
            throw ConfigurationError(variable: "STRIPE_SECRET_KEY", message: "must be a Stripe secret key (sk_live_…, sk_test_…) or restricted key (rk_…) from the Stripe dashboard's API keys page; leave it unset to run without billing")
        }
        guard let webhookSecret = env.string("STRIPE_WEBHOOK_SECRET") else {
            throw ConfigurationError(variable: "STRIPE_WEBHOOK_SECRET", message: "is required when STRIPE_SECRET_KEY is set: without it no payment could move a plan; copy the webhook endpoint's signing secret (whsec_…) from the Stripe dashboard")
        }
        var prices: [String: String] = [:]
        for plan in plans.plans where plan.id != PlanCatalog.freePlanID {
            let variable = StripeSettings.priceVariable(planID: plan.id)
            guard let price = env.string(variable) else {
                throw ConfigurationError(variable: variable, message: "is required when STRIPE_SECRET_KEY is set: the Stripe price id (price_…) of the \(plan.name) plan's monthly subscription")
            }
            if let other = prices.first(where: { $0.value == price }) {
                throw ConfigurationError(variable: variable, message: "is the same price as \(StripeSettings.priceVariable(planID: other.key)); each plan needs its own Stripe price")
            }
            prices[plan.id] = price
        }
        stripe = StripeSettings(
            secretKey: secretKey, webhookSecret: webhookSecret, apiBase: apiBase, prices: prices,
            successURL: try Self.redirectURL(env, "STRIPE_SUCCESS_URL", default: frontendURL + "/billing?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
            cancelURL: try Self.redirectURL(env, "STRIPE_CANCEL_URL", default: frontendURL + "/billing?checkout=canceled"),
            portalReturnURL: frontendURL + "/billing",
            publishableKey: env.string("STRIPE_PUBLISHABLE_KEY"),
            graceDays: graceDays
        )
    }

    /// An http(s) URL that may hold Stripe's `{CHECKOUT_SESSION_ID}` placeholder.
    static func redirectURL(_ env: EnvironmentReader, _ name: String, default defaultValue: String) throws -> String {
        guard let text = env.string(name) else { return defaultValue }
        let plain = text.replacingOccurrences(of: "{CHECKOUT_SESSION_ID}", with: "id")
        guard let url = URL(string: plain), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigurationError(variable: name, message: "must be an http:// or https:// URL (it may contain {CHECKOUT_SESSION_ID}), got \"\(text)\"")
        }
        return text
    }
}
