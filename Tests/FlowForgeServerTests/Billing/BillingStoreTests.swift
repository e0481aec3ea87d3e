import FlowForgeStore
import Foundation
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// The billing store's guarantees, on the suite's database: an event id applies once, a state read from
/// Stripe earlier never overwrites one read later, and of two customers for one account the first is kept.
@Suite("billing store")
struct BillingStoreTests {
    static func state(_ userID: String, plan: String, status: String, syncedAt: Int64) -> SubscriptionRecord {
        SubscriptionRecord(
            userID: userID, plan: plan, status: status, stripeCustomerID: "cus_1", stripeSubscriptionID: "sub_1",
            currentPeriodEnd: nil, cancelAtPeriodEnd: false, pastDueSince: nil, syncedAt: syncedAt)
    }

    @Test func olderReadsAndRepeatedEventsChangeNothing() async throws {
        try await withTestApp { client, configuration in
            let account = try await client.register()
            let database = try openDatabase(configuration, logger: Logger(label: "test.billing-store"))
            do {
                let store = SQLBillingRepository(database: database)
                #expect(try await store.claimCustomerID(userID: account.userID, customerID: "cus_1") == "cus_1")
                #expect(try await store.claimCustomerID(userID: account.userID, customerID: "cus_2") == "cus_1")
                #expect(try await store.userID(stripeCustomerID: "cus_1") == account.userID)

                let newer = Self.state(account.userID, plan: "free", status: "canceled", syncedAt: 2_000)
                let older = Self.state(account.userID, plan: "pro", status: "active", syncedAt: 1_000)
                #expect(try await store.apply(eventID: "evt_new", type: "customer.subscription.deleted", state: newer, at: 1) == .applied)
                #expect(try await store.apply(eventID: "evt_old", type: "customer.subscription.updated", state: older, at: 2) == .stale)
                #expect(try await store.apply(eventID: "evt_new", type: "customer.subscription.deleted", state: older, at: 3) == .duplicate)
                #expect(try await store.subscription(userID: account.userID)?.status == "canceled")
                #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "free")
                // A stale state leaves its event unrecorded, so the caller can read Stripe again and apply that.
                #expect(try await store.hasEvent(id: "evt_old") == false)
                let fresher = Self.state(account.userID, plan: "pro", status: "active", syncedAt: 3_000)
                #expect(try await store.apply(eventID: "evt_old", type: "customer.subscription.updated", state: fresher, at: 4) == .applied)
                #expect(try await store.hasEvent(id: "evt_old"))
                // The database's clock is what states are ordered by.
                let dbNow = try await store.now()
                #expect(abs(dbNow - Int64(Date().timeIntervalSince1970 * 1000)) < 60_000)
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
    }
}
