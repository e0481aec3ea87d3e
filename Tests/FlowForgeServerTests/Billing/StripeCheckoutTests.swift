import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Subscribe, portal, subscription and invoices against a fake Stripe that checks every parameter.
@Suite("Stripe checkout and portal")
struct StripeCheckoutTests {
    @Test func subscribeCreatesOneCustomerAndACheckoutSession() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register()
            let response = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": "pro"])
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let url = try #require(try json(response)["checkout_url"] as? String)
            #expect(url.hasPrefix("https://checkout.stripe.test/"))
            let customers = await fake.customers()
            #expect(customers.count == 1)
            let customer = try #require(customers.first)
            #expect(customer.value["metadata[account_id]"] == account.userID)
            let session = try #require(await fake.checkoutSessions().first)
            #expect(session["mode"] == "subscription")
            #expect(session["customer"] == customer.key)
            #expect(session["client_reference_id"] == account.userID)
            #expect(session["line_items[0][price]"] == "price_pro")
            #expect(session["line_items[0][quantity]"] == "1")
            #expect(session["success_url"] == "http://127.0.0.1:9/billing/done?session_id={CHECKOUT_SESSION_ID}")
            #expect(session["cancel_url"] == "http://127.0.0.1:9/billing/canceled")
            // Every POST carried an Idempotency-Key; the fake's contract checks it, and the bearer key.
            #expect(await fake.requests().allSatisfy { $0.headers["authorization"] == "Bearer \(testStripeKey)" })
            // Subscribing again (enterprise this time) reuses the customer; nothing is granted before payment.
            let again = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": "enterprise"])
            #expect(again.status == .ok)
            #expect(await fake.customers().count == 1)
            #expect(await fake.checkoutSessions().last?["line_items[0][price]"] == "price_enterprise")
            #expect(try await client.billingSubscription(token: account.access)["plan"] as? String == "free")
        }
    }

    @Test func concurrentSubscribesCreateOneCustomer() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register()
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { Int(try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": "pro"]).status.code) }
                }
                for try await status in group { #expect(status == 200) }
            }
            #expect(await fake.customers().count == 1)
            let customers = Set(await fake.checkoutSessions().compactMap { $0["customer"] })
            #expect(customers.count == 1)
        }
    }

    @Test func subscribeRefusesFreeUnknownAndMissingPlans() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register()
            for (body, words) in [(["plan": "free"], "free needs no subscription"), (["plan": "platinum"], "pro, enterprise"), ([:], "is required")] {
                let response = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(try errorCode(response) == "validation_failed")
                #expect(String(buffer: response.body).contains(words), "\(String(buffer: response.body))")
            }
            #expect(await fake.requests().isEmpty)
            let anonymous = try await client.send(.post, "/api/billing/subscribe", json: ["plan": "pro"])
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func portalAndInvoices() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register()
            // No customer yet: no invoices, and the portal creates the customer first.
            let none = try json(try await client.send(.get, "/api/billing/invoices", token: account.access))
            #expect((none["invoices"] as? [Any])?.isEmpty == true)
            let portal = try await client.send(.post, "/api/billing/portal", token: account.access)
            #expect(portal.status == .ok, "\(String(buffer: portal.body))")
            #expect((try json(portal)["url"] as? String)?.hasPrefix("https://billing.stripe.test/") == true)
            let customer = try #require(await fake.customers().keys.first)
            let portalRequest = try #require(await fake.requests().first { $0.path == "/v1/billing_portal/sessions" })
            #expect(portalRequest.form["customer"] == customer)
            #expect(portalRequest.form["return_url"]?.hasSuffix("/billing") == true)
            await fake.addInvoice(customer: customer, number: "FF-0001", total: 2900, status: "paid")
            await fake.addInvoice(customer: customer, number: "FF-0002", total: 2900, status: "open")
            let invoices = try #require(try json(try await client.send(.get, "/api/billing/invoices", token: account.access))["invoices"] as? [[String: Any]])
            #expect(invoices.map { $0["number"] as? String } == ["FF-0002", "FF-0001"])
            let first = invoices[0]
            #expect(first["amount"] as? Int == 2900)
            #expect(first["currency"] as? String == "usd")
            #expect(first["status"] as? String == "open")
            #expect(first["hosted_invoice_url"] as? String == "https://invoice.stripe.test/i/FF-0002")
            #expect(first["period_start"] is String && first["period_end"] is String)
            // Another account sees none of them.
            let other = try await client.register()
            let theirs = try json(try await client.send(.get, "/api/billing/invoices", token: other.access))
            #expect((theirs["invoices"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func billingOffAnswers503AndTheRestWorks() async throws {
        try await withTestApp { client, _ in
            let account = try await client.register()
            for path in ["/api/billing/subscribe", "/api/billing/portal"] {
                let response = try await client.send(.post, path, token: account.access, json: ["plan": "pro"])
                #expect(response.status == .serviceUnavailable, "\(path)")
                #expect(try errorCode(response) == "billing_disabled")
                #expect(String(buffer: response.body).contains("STRIPE_SECRET_KEY"))
                #expect(String(buffer: response.body).contains("set-plan"))
            }
            let subscription = try await client.billingSubscription(token: account.access)
            #expect(subscription["plan"] as? String == "free")
            #expect(subscription["status"] as? String == "none")
            #expect(subscription["billing_enabled"] as? Bool == false)
            let invoices = try json(try await client.send(.get, "/api/billing/invoices", token: account.access))
            #expect((invoices["invoices"] as? [Any])?.isEmpty == true)
            let webhook = try await client.deliverStripe(try stripeEvent(id: "evt_1", type: "invoice.paid", object: [:]))
            #expect(webhook.status == .serviceUnavailable)
            #expect(try await client.send(.get, "/api/billing/plans").status == .ok)
        }
    }

    @Test func registrationWithAPaidPlanStaysFreeUntilPaid() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let response = try await client.send(.post, "/api/auth/register", json: ["email": "payer@example.com", "password": "long enough", "plan": "pro"])
            #expect(response.status == .created)
            let body = try json(response)
            #expect((body["checkout_url"] as? String)?.hasPrefix("https://checkout.stripe.test/") == true)
            #expect((body["user"] as? [String: Any])?["plan"] as? String == "free")
            #expect(body["access_token"] is String)
            #expect(await fake.checkoutSessions().first?["line_items[0][price]"] == "price_pro")
        }
        try await withTestApp { client, _ in
            let response = try await client.send(.post, "/api/auth/register", json: ["email": "nopay@example.com", "password": "long enough", "plan": "pro"])
            #expect(response.status == .created)
            let body = try json(response)
            #expect((body["user"] as? [String: Any])?["plan"] as? String == "free")
            #expect(body["checkout_url"] == nil)
            #expect((body["billing_notice"] as? String)?.contains("billing is off") == true)
        }
    }

    @Test func billingSettingsAreValidated() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-stripe-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = stripeEnvironment(base: "http://127.0.0.1:9").merging(["FLOWFORGE_DATA_DIR": directory.path]) { _, new in new }
        #expect(try AppConfiguration.fromEnvironment(base).stripe?.prices == ["pro": "price_pro", "enterprise": "price_enterprise"])
        #expect(try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory.path]).stripe == nil)
        let cases: [(String, String?, String)] = [
            ("STRIPE_SECRET_KEY", "pk_test_wrong", "STRIPE_SECRET_KEY"),
            ("STRIPE_WEBHOOK_SECRET", nil, "STRIPE_WEBHOOK_SECRET"),
            ("STRIPE_PRICE_ENTERPRISE", nil, "STRIPE_PRICE_ENTERPRISE"),
            ("STRIPE_PRICE_ENTERPRISE", "price_pro", "STRIPE_PRICE_ENTERPRISE"),
            ("STRIPE_SUCCESS_URL", "not a url", "STRIPE_SUCCESS_URL"),
            ("STRIPE_API_BASE", "ftp://x", "STRIPE_API_BASE"),
            ("FLOWFORGE_BILLING_GRACE_DAYS", "-1", "FLOWFORGE_BILLING_GRACE_DAYS"),
        ]
        for (name, value, variable) in cases {
            var environment = base
            environment[name] = value
            #expect(throws: ConfigurationError.self, "\(name)=\(value ?? "<unset>")") {
                do { _ = try AppConfiguration.fromEnvironment(environment) } catch let error as ConfigurationError {
                    #expect(error.variable == variable)
                    throw error
                }
            }
        }
    }

    /// Stripe's error text stays in the log; and the customer's idempotency key follows its parameters, so a
    /// retry after an email change is not refused by Stripe as a key reused with other parameters.
    @Test func stripeErrorsAreAFixedSentenceAndARetryAfterAnEmailChangeWorks() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let account = try await client.register(password: "correct horse")
            await fake.loseNextAnswer(path: "/v1/customers")
            let failed = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": "pro"])
            #expect(failed.status == .badGateway)
            #expect(try errorCode(failed) == "stripe_error")
            #expect(!String(buffer: failed.body).contains("req_secret_42"), "\(String(buffer: failed.body))")
            #expect(!String(buffer: failed.body).contains("fake-stripe"), "\(String(buffer: failed.body))")

            let changed = try await client.send(.patch, "/api/user/profile", token: account.access, json: [
                "email": "moved-\(UUID().uuidString.prefix(8))@example.com", "current_password": "correct horse",
            ])
            #expect(changed.status == .ok, "\(String(buffer: changed.body))")
            let retried = try await client.send(.post, "/api/billing/subscribe", token: account.access, json: ["plan": "pro"])
            #expect(retried.status == .ok, "\(String(buffer: retried.body))")
        }
    }
}
