import FlowForgeTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import FlowForgeServer

let testStripeKey = "sk_test_flowforge"
let testWebhookSecret = "whsec_flowforge_test"

/// The settings that turn billing on against a fake or local Stripe at `base`.
func stripeEnvironment(base: String, pro: String = "price_pro", enterprise: String = "price_enterprise", extra: [String: String] = [:]) -> [String: String] {
    [
        "STRIPE_SECRET_KEY": testStripeKey, "STRIPE_WEBHOOK_SECRET": testWebhookSecret, "STRIPE_API_BASE": base,
        "STRIPE_PRICE_PRO": pro, "STRIPE_PRICE_ENTERPRISE": enterprise,
        "STRIPE_SUCCESS_URL": "http://127.0.0.1:9/billing/done?session_id={CHECKOUT_SESSION_ID}",
        "STRIPE_CANCEL_URL": "http://127.0.0.1:9/billing/canceled",
    ].merging(extra) { _, new in new }
}

/// A Stripe event body as Stripe sends it.
func stripeEvent(id: String, type: String, created: Int = Int(Date().timeIntervalSince1970), object: [String: Any]) throws -> Data {
    try JSONSerialization.data(withJSONObject: [
        "id": id, "object": "event", "type": type, "created": created, "api_version": "2024-06-20", "livemode": false,
        "data": ["object": object],
    ] as [String: Any])
}

extension TestClientProtocol {
    /// Posts `body` to the Stripe webhook endpoint, signed with `secret` at `timestamp` (or with `signature` as given).
    @discardableResult
    func deliverStripe(
        _ body: Data, path: String = "/api/billing/webhooks", secret: String = testWebhookSecret,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970), signature: String? = nil
    ) async throws -> TestResponse {
        let header = signature ?? StripeSignature.sign(payload: Array(body), secret: secret, timestamp: timestamp)
        return try await execute(
            uri: path, method: .post,
            headers: [.contentType: "application/json", HTTPField.Name("Stripe-Signature")!: header],
            body: ByteBuffer(data: body))
    }

    /// `GET /api/billing/subscription` as JSON.
    func billingSubscription(token: String) async throws -> [String: Any] {
        let response = try await send(.get, "/api/billing/subscription", token: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try json(response)
    }
}

/// Runs `body` against a test app whose Stripe is a fresh `FakeStripe`; at the end, the fake must have seen
/// no request that breaks Stripe's API reference.
func withFakeStripeApp(
    extra: [String: String] = [:],
    _ body: @Sendable (any TestClientProtocol, FakeStripe, AppConfiguration) async throws -> Void
) async throws {
    let fake = try await FakeStripe(secretKey: testStripeKey, prices: ["price_pro", "price_enterprise"])
    try await withTestApp(environment: stripeEnvironment(base: fake.baseURL, extra: extra)) { client, configuration in
        try await body(client, fake, configuration)
    }
    #expect(await fake.violations() == [])
}
