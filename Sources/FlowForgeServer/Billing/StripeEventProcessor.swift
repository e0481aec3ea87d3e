import FlowForgeCore
import FlowForgeStore
import Foundation
import Logging

/// Applies verified Stripe events to accounts.
///
/// Events arrive late, twice and out of order, so an event is only a hint of which subscription changed: its
/// current state is read back from Stripe and that state is stored, never the event's copy. An event id is
/// recorded in the same transaction as its effect, so a redelivery changes nothing; a state read earlier than
/// the stored one is dropped, so two deliveries racing cannot leave the older state behind.
struct StripeEventProcessor: Sendable {
    let billing: BillingService

    /// The event types that can move a plan; any other type is acknowledged and recorded.
    static let handledTypes: Set<String> = [
        "checkout.session.completed", "customer.subscription.created", "customer.subscription.updated",
        "customer.subscription.deleted", "invoice.paid", "invoice.payment_failed",
    ]

    /// Statuses under which the subscription's plan is in force (past_due only within the grace period).
    static let liveStatuses: Set<String> = ["active", "trialing", "past_due"]

    enum Outcome: String, Sendable {
        case applied, duplicate, stale, ignored
    }

    struct Event: Sendable {
        let id: String
        let type: String
        /// The subscription the event is about, and for Checkout the account it was started for.
        let subscriptionID: String?
        let accountHint: String?
    }

    /// Reads the fields FlowForge uses from an event body; nil when it is not a Stripe event object.
    static func parse(_ payload: [UInt8]) -> Event? {
        guard let root = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let id = root["id"] as? String, !id.isEmpty, let type = root["type"] as? String,
              let object = (root["data"] as? [String: Any])?["object"] as? [String: Any] else { return nil }
        var subscription: String?
        var hint: String?
        switch type {
        case "checkout.session.completed":
            subscription = object["subscription"] as? String
            hint = object["client_reference_id"] as? String
        case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted":
            subscription = object["id"] as? String
        case "invoice.paid", "invoice.payment_failed":
            // Newer API versions moved it under parent.subscription_details.
            subscription = object["subscription"] as? String
                ?? ((object["parent"] as? [String: Any])?["subscription_details"] as? [String: Any])?["subscription"] as? String
        default:
            break
        }
        return Event(id: id, type: type, subscriptionID: subscription, accountHint: hint)
    }

    func process(_ event: Event) async throws -> Outcome {
        let store = billing.store
        var logger = billing.logger
        logger[metadataKey: "stripe_event"] = "\(event.id)"
        logger[metadataKey: "stripe_event_type"] = "\(event.type)"
        if try await store.hasEvent(id: event.id) { return .duplicate }
        guard Self.handledTypes.contains(event.type), let subscriptionID = event.subscriptionID else {
            return try await ignore(event)
        }
        // A stale outcome means another delivery stored a state read after this one; read Stripe once more
        // (that read starts after the other one was stored) rather than record the event with nothing applied.
        for attempt in 1...2 {
            switch try await sync(event, subscriptionID: subscriptionID, logger: &logger) {
            case .stale where attempt == 1:
                logger.info("a later read of the subscription is stored; reading Stripe again")
                continue
            case .stale:
                // Two later reads in a row: deliveries keep racing, and the newest of them is stored.
                _ = try await store.recordEvent(id: event.id, type: event.type, at: try await store.now())
                return .stale
            case let outcome:
                return outcome
            }
        }
        return .stale
    }

    /// Reads the subscription from Stripe and stores it for its account (one attempt).
    private func sync(_ event: Event, subscriptionID: String, logger: inout Logger) async throws -> Outcome {
        let store = billing.store
        // The database's clock, not this host's: replicas whose clocks disagree still order their reads.
        let readAt = try await store.now()
        guard let subscription = try await billing.stripe.subscription(id: subscriptionID) else {
            logger.notice("Stripe has no such subscription; event ignored", metadata: ["stripe_subscription": "\(subscriptionID)"])
            return try await ignore(event)
        }
        guard let userID = try await account(of: subscription) else {
            logger.warning("Stripe event about a customer of no account; ignored", metadata: [
                "stripe_customer": "\(subscription.customer)", "claimed_account": "\(event.accountHint ?? subscription.metadata?["account_id"] ?? "")",
            ])
            return try await ignore(event)
        }
        logger[metadataKey: "user_id"] = "\(userID)"
        let stored = try await store.subscription(userID: userID)
        if let stored, let current = stored.stripeSubscriptionID, current != subscription.id,
           Self.liveStatuses.contains(stored.status), !Self.liveStatuses.contains(subscription.status) {
            // The account moved to another subscription; the end of an old one must not take its plan away.
            logger.info("event about an ended earlier subscription; the current one is kept", metadata: ["stripe_subscription": "\(subscription.id)"])
            return try await ignore(event)
        }
        if let stored, let current = stored.stripeSubscriptionID, current != subscription.id,
           Self.liveStatuses.contains(stored.status), stored.plan != PlanCatalog.freePlanID,
           Self.liveStatuses.contains(subscription.status) {
            // Two Checkouts opened before either was paid can leave an account with two live subscriptions.
            // The first one paid stays in force; the second must not flip the plan (and is for support to refund
            // or cancel in the Stripe Dashboard: FlowForge never cancels a subscription itself).
            logger.error("a second live subscription for an account that has one; the plan follows the first, cancel the extra one in Stripe", metadata: [
                "stripe_subscription": "\(subscription.id)", "kept_subscription": "\(current)", "stripe_customer": "\(subscription.customer)",
            ])
            return try await ignore(event)
        }
        let state = self.state(of: subscription, userID: userID, stored: stored, now: readAt, logger: logger)
        let outcome = try await store.apply(eventID: event.id, type: event.type, state: state, at: try await store.now())
        switch outcome {
        case .applied:
            logger.info("subscription synced from Stripe", metadata: ["plan": "\(state.plan)", "status": "\(state.status)"])
            return .applied
        case .duplicate: return .duplicate
        case .stale: return .stale
        }
    }

    /// The subscription as FlowForge stores it: the plan its price sells while it is paid up (past_due within
    /// the grace period), else free.
    func state(of subscription: StripeSubscription, userID: String, stored: SubscriptionRecord?, now: Int64, logger: Logger) -> SubscriptionRecord {
        let sameSubscription = stored?.stripeSubscriptionID == subscription.id
        var pastDueSince: Int64?
        var plan = PlanCatalog.freePlanID
        let paidPlan = subscription.priceID.flatMap(billing.settings.planID(forPrice:))
        if subscription.priceID != nil, paidPlan == nil, Self.liveStatuses.contains(subscription.status) {
            logger.error("subscription's price is none of STRIPE_PRICE_*; the account stays on free", metadata: ["stripe_price": "\(subscription.priceID ?? "")"])
        }
        switch subscription.status {
        case "active", "trialing":
            plan = paidPlan ?? PlanCatalog.freePlanID
        case "past_due":
            let since = (sameSubscription ? stored?.pastDueSince : nil) ?? now
            pastDueSince = since
            let graceMillis = Int64(billing.settings.graceDays) * 86_400_000
            plan = now < since + graceMillis ? (paidPlan ?? PlanCatalog.freePlanID) : PlanCatalog.freePlanID
        default:
            // canceled, unpaid, incomplete (not paid yet), incomplete_expired, paused.
            plan = PlanCatalog.freePlanID
        }
        return SubscriptionRecord(
            userID: userID, plan: plan, status: subscription.status, stripeCustomerID: subscription.customer,
            stripeSubscriptionID: subscription.id, currentPeriodEnd: subscription.periodEnd.map { $0 * 1000 },
            cancelAtPeriodEnd: subscription.cancelAtPeriodEnd ?? false, pastDueSince: pastDueSince, syncedAt: now)
    }

    /// The account by its Stripe customer, and only by it. FlowForge creates the customer (and records it on
    /// the account) before it opens any Checkout, so a customer it does not know was made by someone else: the
    /// ids an event or a subscription's metadata carry are the sender's to choose and must never bind a
    /// customer to an account.
    func account(of subscription: StripeSubscription) async throws -> String? {
        try await billing.store.userID(stripeCustomerID: subscription.customer)
    }

    private func ignore(_ event: Event) async throws -> Outcome {
        try await billing.store.recordEvent(id: event.id, type: event.type, at: try await billing.store.now()) ? .ignored : .duplicate
    }
}
