import AsyncHTTPClient
import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import Testing
@testable import FlowForgeServer

/// Against localstripe: a customer and a subscription created through FlowForge's Stripe client, and
/// localstripe's own signed webhooks, delivered to a listening FlowForge, moving the account's plan.
@Suite("localstripe")
struct LocalStripeTests {
    struct Customer: Decodable {
        let id: String
        let metadata: [String: String]
    }

    /// Polls the account's subscription until `condition` holds, up to 30 s; returns the last answer.
    static func awaitSubscription(
        _ client: any TestClientProtocol, token: String, until condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let state = try await client.billingSubscription(token: token)
            if condition(state) || ContinuousClock.now >= deadline { return state }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    @Test func localstripeWebhooksMoveThePlan() async throws {
        let stripe = try await LocalStripe()
        let environment = stripeEnvironment(base: stripe.baseURL, pro: "price_ls_pro", enterprise: "price_ls_enterprise")
        try await withLiveTestApp(environment: environment) { client, port, configuration in
            let logger = Logger(label: "test.localstripe")
            let api = StripeClient(baseURL: stripe.baseURL, secretKey: testStripeKey, http: .shared, logger: logger)
            // localstripe signs each event with this endpoint's secret and posts it to FlowForge.
            var hook = HTTPClientRequest(url: stripe.baseURL + "/_config/webhooks/flowforge")
            hook.method = .POST
            hook.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            hook.body = .bytes(ByteBuffer(string: StripeForm.encode([
                ("url", "http://127.0.0.1:\(port)/api/billing/webhooks"), ("secret", testWebhookSecret),
            ])))
            #expect(try await HTTPClient.shared.execute(hook, timeout: .seconds(10)).status == .ok)
            for (id, amount) in [("price_ls_pro", "2900"), ("price_ls_enterprise", "9900")] {
                let _: StripeObjectRef = try await api.send(.POST, "/v1/plans", form: [
                    ("id", id), ("amount", amount), ("currency", "usd"), ("interval", "month"), ("product[name]", id),
                ])
            }

            let account = try await client.register()
            // The customer, through FlowForge's own billing service and store.
            let customerID = try await withBilling(configuration) { billing, users in
                let user = try #require(try await users.find(id: account.userID))
                let first = try await billing.customer(for: user)
                #expect(try await billing.customer(for: user) == first)
                return first
            }
            let customer: Customer = try await api.send(.GET, "/v1/customers/\(customerID)")
            #expect(customer.metadata["account_id"] == account.userID)

            let _: StripeObjectRef = try await api.send(.POST, "/v1/payment_methods/pm_card_visa/attach", form: [("customer", customerID)])
            let _: StripeObjectRef = try await api.send(.POST, "/v1/customers/\(customerID)", form: [("invoice_settings[default_payment_method]", "pm_card_visa")])
            let subscription: StripeSubscription = try await api.send(.POST, "/v1/subscriptions", form: [
                ("customer", customerID), ("items[0][plan]", "price_ls_pro"),
            ])
            #expect(subscription.status == "active")
            let pro = try await Self.awaitSubscription(client, token: account.access) { $0["plan"] as? String == "pro" }
            #expect(pro["plan"] as? String == "pro", "\(stripe.log)")
            #expect(pro["status"] as? String == "active")
            #expect(try await client.usage("/api/user/usage", token: account.access)["plan"] as? String == "pro")

            // Cancelled at Stripe: localstripe's customer.subscription.deleted brings the account back to free.
            let _: StripeObjectRef = try await api.send(.DELETE, "/v1/subscriptions/\(subscription.id)")
            let ended = try await Self.awaitSubscription(client, token: account.access) { $0["plan"] as? String == "free" }
            #expect(ended["plan"] as? String == "free", "\(stripe.log)")
            #expect(ended["status"] as? String == "canceled")
        }
    }

    /// Runs `body` with the app's billing service over a second pool on its database.
    func withBilling<T: Sendable>(
        _ configuration: AppConfiguration, _ body: (BillingService, any UserRepository) async throws -> T
    ) async throws -> T {
        let database = try openDatabase(configuration, logger: Logger(label: "test.localstripe"))
        do {
            let billing = try #require(BillingService.make(configuration: configuration, database: database, logger: Logger(label: "test.localstripe")))
            let result = try await body(billing, SQLUserRepository(database: database))
            await database.shutdown()
            return result
        } catch {
            await database.shutdown()
            throw error
        }
    }
}
