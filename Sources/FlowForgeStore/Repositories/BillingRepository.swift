import Foundation
import SQLKit

/// What an applied Stripe event did.
public enum StripeEventOutcome: Sendable, Equatable {
    /// The event's state was stored and the account's plan set.
    case applied
    /// The event id was seen before: nothing changed.
    case duplicate
    /// A state read from Stripe later than this one is already stored: nothing changed and the event is not
    /// recorded, so the caller can read Stripe again and apply that.
    case stale
}

/// Billing state: the account's Stripe customer, its subscription row, and the Stripe events applied.
public protocol BillingRepository: Sendable {
    /// The account's Stripe customer id, or nil before its first subscribe.
    func customerID(userID: String) async throws -> String?
    /// Stores `customerID` as the account's customer unless it already has one, and returns the one it has
    /// afterwards (so of two racing calls, both end with the same customer). Nil when the account is gone.
    func claimCustomerID(userID: String, customerID: String) async throws -> String?
    /// The account whose Stripe customer this is.
    func userID(stripeCustomerID: String) async throws -> String?
    func subscription(userID: String) async throws -> SubscriptionRecord?
    /// True when the event id was applied before.
    func hasEvent(id: String) async throws -> Bool
    /// Records an event that changes nothing (an event type FlowForge ignores, or one about no known account);
    /// returns false when it was recorded before.
    func recordEvent(id: String, type: String, at: Int64) async throws -> Bool
    /// In one transaction: records the event id (`.duplicate` and nothing else when it was recorded before),
    /// stores `state` as the account's subscription unless a state read later is stored already (`.stale`),
    /// and sets the account's plan to `state.plan`. Calling it twice with the same event changes nothing the
    /// second time. `.stale` rolls everything back, the event id included.
    func apply(eventID: String, type: String, state: SubscriptionRecord, at: Int64) async throws -> StripeEventOutcome
    /// Sets the plan of the account with this (lower-cased) email; returns its id, or nil when no account has it.
    func setPlan(email: String, plan: String, at: Int64) async throws -> String?
    /// Moves every account whose subscription has been `past_due` since `cutoff` or earlier to free (its
    /// grace period is over while Stripe sent nothing new); returns how many. Safe to repeat and to run on
    /// several replicas at once.
    func endExpiredGrace(pastDueSince cutoff: Int64, at: Int64) async throws -> Int
    /// The database's clock in epoch milliseconds: the one clock every replica shares, so states read on
    /// different hosts are ordered by it and grace periods end at the same moment everywhere.
    func now() async throws -> Int64
}

public struct SQLBillingRepository: BillingRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func customerID(userID: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT stripe_customer_id FROM users WHERE id = \(bind: userID)").first()?.optionalString("stripe_customer_id")
        }
    }

    public func claimCustomerID(userID: String, customerID: String) async throws -> String? {
        try await database.transaction { db in
            try await db.raw("""
                UPDATE users SET stripe_customer_id = \(bind: customerID)
                WHERE id = \(bind: userID) AND stripe_customer_id IS NULL
                """).run()
            return try await db.raw("SELECT stripe_customer_id FROM users WHERE id = \(bind: userID)").first()?.optionalString("stripe_customer_id")
        }
    }

    public func userID(stripeCustomerID: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("SELECT id FROM users WHERE stripe_customer_id = \(bind: stripeCustomerID)").first()?.string("id")
        }
    }

    public func subscription(userID: String) async throws -> SubscriptionRecord? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT * FROM subscriptions WHERE user_id = \(bind: userID)").first() else { return nil }
            return SubscriptionRecord(
                userID: try row.string("user_id"), plan: try row.string("plan"), status: try row.string("status"),
                stripeCustomerID: try row.optionalString("stripe_customer_id"),
                stripeSubscriptionID: try row.optionalString("stripe_subscription_id"),
                currentPeriodEnd: try row.optionalInt64("current_period_end"),
                cancelAtPeriodEnd: try row.int64("cancel_at_period_end") != 0,
                pastDueSince: try row.optionalInt64("past_due_since"),
                syncedAt: try row.int64("synced_at"))
        }
    }

    public func hasEvent(id: String) async throws -> Bool {
        try await database.withConnection { db in
            try await db.raw("SELECT id FROM stripe_events WHERE id = \(bind: id)").first() != nil
        }
    }

    public func recordEvent(id: String, type: String, at: Int64) async throws -> Bool {
        try await database.transaction { db in try await Self.insertEvent(db, id: id, type: type, at: at) }
    }

    /// Thrown inside `apply`'s transaction to roll back the event id of a stale state.
    struct StaleState: Error {}

    public func now() async throws -> Int64 { try await database.nowMillis() }

    public func apply(eventID: String, type: String, state: SubscriptionRecord, at: Int64) async throws -> StripeEventOutcome {
        do {
            return try await applyOrThrowStale(eventID: eventID, type: type, state: state, at: at)
        } catch is StaleState {
            return .stale
        }
    }

    private func applyOrThrowStale(eventID: String, type: String, state: SubscriptionRecord, at: Int64) async throws -> StripeEventOutcome {
        try await database.transaction { db in
            guard try await Self.insertEvent(db, id: eventID, type: type, at: at) else { return .duplicate }
            // The WHERE on the update keeps a state read later from Stripe: deliveries race, and the one whose
            // read came first may arrive last.
            let stored = try await db.raw("""
                INSERT INTO subscriptions (id, user_id, plan, status, stripe_customer_id, stripe_subscription_id,
                    current_period_end, cancel_at_period_end, past_due_since, synced_at, created_at, updated_at)
                VALUES (\(bind: UUID().uuidString.lowercased()), \(bind: state.userID), \(bind: state.plan), \(bind: state.status),
                    \(bind: state.stripeCustomerID), \(bind: state.stripeSubscriptionID), \(bind: state.currentPeriodEnd),
                    \(bind: state.cancelAtPeriodEnd ? 1 : 0), \(bind: state.pastDueSince), \(bind: state.syncedAt), \(bind: at), \(bind: at))
                ON CONFLICT (user_id) DO UPDATE SET
                    plan = excluded.plan, status = excluded.status, stripe_customer_id = excluded.stripe_customer_id,
                    stripe_subscription_id = excluded.stripe_subscription_id, current_period_end = excluded.current_period_end,
                    cancel_at_period_end = excluded.cancel_at_period_end, past_due_since = excluded.past_due_since,
                    synced_at = excluded.synced_at, updated_at = excluded.updated_at
                WHERE subscriptions.synced_at <= excluded.synced_at
                RETURNING user_id
                """).first()
            guard stored != nil else { throw StaleState() }
            try await db.raw("""
                UPDATE users SET plan = \(bind: state.plan), updated_at = \(bind: at) WHERE id = \(bind: state.userID)
                """).run()
            return .applied
        }
    }

    public func setPlan(email: String, plan: String, at: Int64) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE users SET plan = \(bind: plan), updated_at = \(bind: at) WHERE email = \(bind: email) RETURNING id
                """).first()?.string("id")
        }
    }

    public func endExpiredGrace(pastDueSince cutoff: Int64, at: Int64) async throws -> Int {
        try await database.transaction { db in
            let rows = try await db.raw("""
                UPDATE subscriptions SET plan = 'free', updated_at = \(bind: at)
                WHERE status = 'past_due' AND past_due_since <= \(bind: cutoff) AND plan <> 'free'
                RETURNING user_id
                """).all()
            for row in rows {
                try await db.raw("UPDATE users SET plan = 'free', updated_at = \(bind: at) WHERE id = \(bind: try row.string("user_id"))").run()
            }
            return rows.count
        }
    }

    /// False when the event id is already there.
    static func insertEvent(_ db: any SQLDatabase, id: String, type: String, at: Int64) async throws -> Bool {
        try await db.raw("""
            INSERT INTO stripe_events (id, type, received_at) VALUES (\(bind: id), \(bind: type), \(bind: at))
            ON CONFLICT (id) DO NOTHING RETURNING id
            """).first() != nil
    }
}
