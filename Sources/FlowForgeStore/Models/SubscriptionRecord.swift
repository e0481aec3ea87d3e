/// An account's Stripe subscription as FlowForge last read it from Stripe. Times are milliseconds.
public struct SubscriptionRecord: Sendable, Equatable {
    public var userID: String
    /// The plan the account is on because of this subscription (free once it ended).
    public var plan: String
    /// Stripe's status: active, trialing, past_due, unpaid, canceled, incomplete, incomplete_expired, paused.
    public var status: String
    public var stripeCustomerID: String?
    public var stripeSubscriptionID: String?
    public var currentPeriodEnd: Int64?
    public var cancelAtPeriodEnd: Bool
    public var pastDueSince: Int64?
    /// When this state was read from Stripe.
    public var syncedAt: Int64

    public init(
        userID: String, plan: String, status: String, stripeCustomerID: String?, stripeSubscriptionID: String?,
        currentPeriodEnd: Int64?, cancelAtPeriodEnd: Bool, pastDueSince: Int64?, syncedAt: Int64
    ) {
        self.userID = userID
        self.plan = plan
        self.status = status
        self.stripeCustomerID = stripeCustomerID
        self.stripeSubscriptionID = stripeSubscriptionID
        self.currentPeriodEnd = currentPeriodEnd
        self.cancelAtPeriodEnd = cancelAtPeriodEnd
        self.pastDueSince = pastDueSince
        self.syncedAt = syncedAt
    }
}
