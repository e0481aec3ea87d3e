import FlowForgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Stripe's events move the account's plan; replayed, forged, stale and out-of-order events change nothing.
@Suite("Stripe webhooks")
struct StripeWebhookTests {
    /// Registers, subscribes to `plan` and has the fake complete Checkout: (access token, user id, subscription id).
    static func subscribed(
        _ client: any TestClientProtocol, _ fake: FakeStripe, plan: String = "pro", status: String = "active"
    ) async throws -> (access: String, userID: String, subscription: String) {
        let account = try await client.register()
        let response = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": plan])
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        let index = await fake.checkoutSessions().count - 1
        let subscription = await fake.completeCheckout(index, status: status)
        return (account.access, account.userID, subscription)
    }

    static func checkoutCompleted(_ id: String, subscription: String, userID: String) throws -> Data {
        try stripeEvent(id: id, type: "checkout.session.completed", object: [
            "id": "cs_test_x", "object": "checkout.session", "mode": "subscription", "subscription": subscription,
            "client_reference_id": userID, "payment_status": "paid",
        ])
    }

    static func subscriptionEvent(_ id: String, _ type: String, subscription: String, status: String, created: Int = Int(Date().timeIntervalSince1970)) throws -> Data {
        try stripeEvent(id: id, type: type, created: created, object: ["id": subscription, "object": "subscription", "status": status])
    }

    @Test func checkoutCompletedMovesThePlanAndCancellationEndsIt() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "free")
            let delivered = try await client.deliverStripe(try Self.checkoutCompleted("evt_1", subscription: subscription, userID: userID))
            #expect(delivered.status == .ok, "\(String(buffer: delivered.body))")
            #expect(try json(delivered)["outcome"] as? String == "applied")
            let state = try await client.billingSubscription(token: access)
            #expect(state["plan"] as? String == "pro")
            #expect(state["status"] as? String == "active")
            #expect(state["cancel_at_period_end"] as? Bool == false)
            #expect(state["current_period_end"] is String)
            // The plan is in force for limits at once.
            #expect(try await client.usage("/api/user/usage", token: access)["plan"] as? String == "pro")

            // Cancelled in the portal: still paid up until the period ends.
            await fake.update(subscription: subscription, cancelAtPeriodEnd: true)
            try await client.deliverStripe(try Self.subscriptionEvent("evt_2", "customer.subscription.updated", subscription: subscription, status: "active"))
            let cancelling = try await client.billingSubscription(token: access)
            #expect(cancelling["plan"] as? String == "pro")
            #expect(cancelling["cancel_at_period_end"] as? Bool == true)

            // Upgrade in the portal: the plan follows the price; the alias path works the same.
            await fake.update(subscription: subscription, price: "price_enterprise", cancelAtPeriodEnd: false)
            let upgraded = try await client.deliverStripe(
                try Self.subscriptionEvent("evt_3", "customer.subscription.updated", subscription: subscription, status: "active"),
                path: "/api/webhooks/stripe")
            #expect(upgraded.status == .ok, "\(String(buffer: upgraded.body))")
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "enterprise")

            await fake.update(subscription: subscription, status: "canceled")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_4", "customer.subscription.deleted", subscription: subscription, status: "canceled"))
            let ended = try await client.billingSubscription(token: access)
            #expect(ended["plan"] as? String == "free")
            #expect(ended["status"] as? String == "canceled")
        }
    }

    @Test func aReplayedEventChangesNothing() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            let event = try Self.checkoutCompleted("evt_replayed", subscription: subscription, userID: userID)
            #expect(try json(try await client.deliverStripe(event))["outcome"] as? String == "applied")
            // Stripe has moved on (the card failed and the subscription ended) but its event is not here yet:
            // the first event delivered again must not read that state and apply it under its old id.
            await fake.update(subscription: subscription, status: "unpaid")
            let replay = try await client.deliverStripe(event)
            #expect(replay.status == .ok)
            #expect(try json(replay)["outcome"] as? String == "duplicate")
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "pro")
        }
    }

    @Test func forgedAndStaleEventsAre400AndChangeNothing() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            let event = try Self.checkoutCompleted("evt_forged", subscription: subscription, userID: userID)
            let now = Int64(Date().timeIntervalSince1970)
            let valid = StripeSignature.sign(payload: Array(event), secret: testWebhookSecret, timestamp: now)
            var tampered = event
            tampered.append(contentsOf: Array(" ".utf8))
            let cases: [(String, TestResponse)] = [
                ("wrong secret", try await client.deliverStripe(event, secret: "whsec_someone_else")),
                ("stale", try await client.deliverStripe(event, timestamp: now - 301)),
                ("from the future", try await client.deliverStripe(event, timestamp: now + 301)),
                ("tampered body", try await client.deliverStripe(tampered, signature: valid)),
                ("no v1", try await client.deliverStripe(event, signature: "t=\(now)")),
                ("no t", try await client.deliverStripe(event, signature: String(valid.drop { $0 != "," }.dropFirst()))),
                ("v0 only", try await client.deliverStripe(event, signature: valid.replacingOccurrences(of: "v1=", with: "v0="))),
                ("missing", try await client.deliverStripe(event, signature: "")),
            ]
            for (name, response) in cases {
                #expect(response.status == .badRequest, "\(name)")
                #expect(try errorCode(response) == "invalid_signature", "\(name)")
            }
            // Not even read back from Stripe, and the event id is not burnt: the genuine delivery still applies.
            #expect(await fake.requests().allSatisfy { !$0.path.hasPrefix("/v1/subscriptions/") })
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "free")
            // One of several v1 signatures matching is enough (a secret being rolled), and 299 s old is still fine.
            let rolled = "t=\(now - 299),v1=\(String(repeating: "0", count: 64)),v1=" + StripeSignature.sign(payload: Array(event), secret: testWebhookSecret, timestamp: now - 299).split(separator: "=").last!
            let genuine = try await client.deliverStripe(event, signature: rolled)
            #expect(genuine.status == .ok, "\(String(buffer: genuine.body))")
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "pro")
            // A body too large for an event is refused before its signature is even looked at.
            let huge = Data(repeating: UInt8(ascii: "a"), count: StripeWebhookController.maxBodyBytes + 1)
            #expect(try await client.deliverStripe(huge).status == .contentTooLarge)
        }
    }

    /// `t=` is the caller's number: values at and past the ends of Int64 are refused like any stale signature,
    /// and the server keeps answering afterwards (a trapping `now - t` would end the process).
    @Test func extremeTimestampsAre400AndTheServerLives() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            let event = try Self.checkoutCompleted("evt_extreme", subscription: subscription, userID: userID)
            let mac = String(StripeSignature.sign(payload: Array(event), secret: testWebhookSecret, timestamp: 0).split(separator: "=").last!)
            for t in ["-9223372036854775808", "9223372036854775807", "-9223372036854775807", "99999999999999999999999999", "-99999999999999999999999999", "1e9", ""] {
                let response = try await client.deliverStripe(event, signature: "t=\(t),v1=\(mac)")
                #expect(response.status == .badRequest, "t=\(t)")
                #expect(try errorCode(response) == "invalid_signature", "t=\(t)")
            }
            #expect(try await client.deliverStripe(event).status == .ok)
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "pro")
        }
    }

    /// A customer FlowForge did not create is bound to no account, whatever account id the event or the
    /// subscription's metadata name: anyone with a Stripe account could otherwise pay for a victim's account
    /// (and later move its plan) from their own customer.
    @Test func anEventForAForeignCustomerChangesNoAccount() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let victim = try await client.register()
            let foreign = await fake.addSubscription(customer: "cus_foreign", price: "price_enterprise", metadata: ["account_id": victim.userID])
            for (id, event) in [
                ("evt_f1", try Self.checkoutCompleted("evt_f1", subscription: foreign, userID: victim.userID)),
                ("evt_f2", try Self.subscriptionEvent("evt_f2", "customer.subscription.updated", subscription: foreign, status: "active")),
            ] {
                let response = try await client.deliverStripe(event)
                #expect(response.status == .ok, "\(id)")
                #expect(try json(response)["outcome"] as? String == "ignored", "\(id)")
            }
            let state = try await client.billingSubscription(token: victim.access)
            #expect(state["plan"] as? String == "free")
            #expect(state["status"] as? String == "none")
            // The victim's own subscribe still makes FlowForge's customer, not the foreign one.
            let subscribe = try await client.send(.post, "/api/billing/subscribe", token: victim.access, json: ["plan": "pro"])
            #expect(subscribe.status == .ok, "\(String(buffer: subscribe.body))")
            #expect(await fake.checkoutSessions().last?["customer"] != "cus_foreign")
        }
    }

    /// Stripe's deliveries are counted by the webhook limiter, like a forge's, not against the API allowance
    /// of the address they come from.
    @Test func stripeDeliveriesUseTheWebhookLimiter() async throws {
        let limits = ["RATE_LIMIT_MAX_REQUESTS": "3", "FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS": "4", "RATE_LIMIT_WINDOW": "60000"]
        try await withFakeStripeApp(extra: limits) { client, _, _ in
            let event = try stripeEvent(id: "evt_limit", type: "customer.created", object: ["id": "cus_x", "object": "customer"])
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await client.deliverStripe(event).status) }
            #expect(statuses.allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(try await client.send(.get, "/api/billing/plans").status == .ok)
            #expect(try await client.deliverStripe(event).status == .tooManyRequests)
        }
    }

    /// Two Checkouts opened before either was paid: the first subscription paid sets the plan, the second
    /// one's events do not flip it.
    @Test func aSecondLiveSubscriptionDoesNotFlipThePlan() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register()
            for plan in ["pro", "enterprise"] {
                let response = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": plan])
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            let first = await fake.completeCheckout(0)
            let second = await fake.completeCheckout(1)
            try await client.deliverStripe(try Self.checkoutCompleted("evt_s1", subscription: first, userID: account.userID))
            #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "pro")
            let extra = try await client.deliverStripe(try Self.checkoutCompleted("evt_s2", subscription: second, userID: account.userID))
            #expect(try json(extra)["outcome"] as? String == "ignored")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_s3", "customer.subscription.updated", subscription: second, status: "active"))
            #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "pro")
            // The first one ending leaves the account free; the extra one is then the account's to keep or cancel.
            await fake.update(subscription: first, status: "canceled")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_s4", "customer.subscription.deleted", subscription: first, status: "canceled"))
            #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "free")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_s5", "customer.subscription.updated", subscription: second, status: "active"))
            #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "enterprise")
        }
    }

    @Test func anOutOfOrderEventNeverUndoesANewerOne() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            let created = Int(Date().timeIntervalSince1970) - 60
            try await client.deliverStripe(try Self.checkoutCompleted("evt_a", subscription: subscription, userID: userID))
            await fake.update(subscription: subscription, status: "canceled")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_c", "customer.subscription.deleted", subscription: subscription, status: "canceled"))
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "free")
            // An older "updated: active" event arrives last (created before the cancellation; its copy of the
            // subscription says active). It must not bring the plan back.
            let late = try await client.deliverStripe(
                try Self.subscriptionEvent("evt_b", "customer.subscription.updated", subscription: subscription, status: "active", created: created))
            #expect(late.status == .ok)
            let state = try await client.billingSubscription(token: access)
            #expect(state["plan"] as? String == "free")
            #expect(state["status"] as? String == "canceled")
            // Likewise a late invoice.paid for the old subscription.
            try await client.deliverStripe(try stripeEvent(id: "evt_d", type: "invoice.paid", created: created, object: ["id": "in_1", "object": "invoice", "subscription": subscription]))
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "free")
        }
    }

    @Test func pastDueKeepsThePlanForTheGracePeriodOnly() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            try await client.deliverStripe(try Self.checkoutCompleted("evt_1", subscription: subscription, userID: userID))
            await fake.update(subscription: subscription, status: "past_due")
            try await client.deliverStripe(try stripeEvent(id: "evt_2", type: "invoice.payment_failed", object: ["id": "in_1", "object": "invoice", "subscription": subscription]))
            let state = try await client.billingSubscription(token: access)
            #expect(state["status"] as? String == "past_due")
            #expect(state["plan"] as? String == "pro")
            await fake.update(subscription: subscription, status: "active")
            try await client.deliverStripe(try stripeEvent(id: "evt_3", type: "invoice.paid", object: ["id": "in_1", "object": "invoice", "subscription": subscription]))
            #expect(try await client.billingSubscription(token: access)["status"] as? String == "active")
            await fake.update(subscription: subscription, status: "unpaid")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_4", "customer.subscription.updated", subscription: subscription, status: "unpaid"))
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "free")
        }
        // With no grace, past_due is free at once.
        try await withFakeStripeApp(extra: ["FLOWFORGE_BILLING_GRACE_DAYS": "0"]) { client, fake, _ in
            let (access, userID, subscription) = try await Self.subscribed(client, fake, status: "past_due")
            try await client.deliverStripe(try Self.checkoutCompleted("evt_1", subscription: subscription, userID: userID))
            let state = try await client.billingSubscription(token: access)
            #expect(state["status"] as? String == "past_due")
            #expect(state["plan"] as? String == "free")
        }
    }

    @Test func housekeepingEndsAnExpiredGracePeriodWithoutANewEvent() async throws {
        try await withFakeStripeApp { client, fake, configuration in
            let (access, userID, subscription) = try await Self.subscribed(client, fake)
            let (otherAccess, otherID, otherSubscription) = try await Self.subscribed(client, fake)
            for (id, sub, user) in [("evt_1", subscription, userID), ("evt_2", otherSubscription, otherID)] {
                try await client.deliverStripe(try Self.checkoutCompleted(id, subscription: sub, userID: user))
            }
            await fake.update(subscription: subscription, status: "past_due")
            await fake.update(subscription: otherSubscription, status: "past_due")
            try await client.deliverStripe(try Self.subscriptionEvent("evt_3", "customer.subscription.updated", subscription: subscription, status: "past_due"))
            try await client.deliverStripe(try Self.subscriptionEvent("evt_4", "customer.subscription.updated", subscription: otherSubscription, status: "past_due"))
            #expect(try await client.billingSubscription(token: access)["plan"] as? String == "pro")
            // The first has been past due for eight days, the other for six.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await withAppDatabase(configuration) { db in
                try await db.raw("UPDATE subscriptions SET past_due_since = \(bind: now - 8 * 86_400_000) WHERE user_id = \(bind: userID)").run()
                try await db.raw("UPDATE subscriptions SET past_due_since = \(bind: now - 6 * 86_400_000) WHERE user_id = \(bind: otherID)").run()
            }
            let services = try await openServices(configuration: configuration, logger: nil)
            await services.housekeepingService().sweep()
            await services.database.shutdown()
            try? await services.gitThreadPool.shutdownGracefully()
            let expired = try await client.billingSubscription(token: access)
            #expect(expired["plan"] as? String == "free")
            #expect(expired["status"] as? String == "past_due")
            #expect(try await client.usage("/api/user/usage", token: access)["plan"] as? String == "free")
            #expect(try await client.billingSubscription(token: otherAccess)["plan"] as? String == "pro")
        }
    }

    @Test func eventsAboutNoAccountOrOfOtherTypesAreAcknowledged() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let other = try await client.deliverStripe(try stripeEvent(id: "evt_x", type: "customer.created", object: ["id": "cus_1"]))
            #expect(other.status == .ok)
            #expect(try json(other)["outcome"] as? String == "ignored")
            let unknown = try await client.deliverStripe(try Self.subscriptionEvent("evt_y", "customer.subscription.updated", subscription: "sub_nobody", status: "active"))
            #expect(unknown.status == .ok)
            #expect(try json(unknown)["outcome"] as? String == "ignored")
            let notAnEvent = try await client.deliverStripe(Data("[1,2]".utf8))
            #expect(notAnEvent.status == .badRequest)
            #expect(try errorCode(notAnEvent) == "invalid_event")
        }
    }
}
