import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("web: pages")
struct WebPageTests {
    @Test func theLandingPagePricesEveryPlanOfTheCatalog() async throws {
        try await withTestApp { client, configuration in
            let landing = try await WebBrowserClient(client).get("/")
            #expect(landing.status == .ok)
            #expect(landing.html.contains("/api/v1/pipelines"))
            #expect(landing.html.contains("flowforge.yml"))
            for plan in configuration.plans.plans {
                #expect(landing.html.contains(">\(plan.name)</h3>"), "\(plan.id)")
                let label = plan.id == PlanCatalog.freePlanID ? "Start free" : "Choose plan"
                #expect(landing.html.contains("href=\"/auth/register?plan=\(plan.id)\" data-plan=\"\(plan.id)\">\(label)</a>"), "\(plan.id)")
            }
            let register = try await WebBrowserClient(client).get("/auth/register?plan=pro")
            #expect(register.html.contains("value=\"pro\" checked"))
        }
    }

    @Test func anAPIKeyIsShownOnceListedAndRevoked() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "keys@example.com")
            let created = try await browser.submit("/dashboard/api-keys", to: "/dashboard/api-keys", ["name": "<b>deploy</b>"])
            #expect(created.status == .ok)
            let html = created.html
            let start = try #require(html.range(of: "id=\"new-key\">"))
            let key = String(html[start.upperBound...].prefix { $0 != "<" })
            #expect(key.hasPrefix("ff_"))
            #expect(html.contains("data-copy=\"new-key\""))
            // The name is text, never markup.
            #expect(html.contains("&lt;b&gt;deploy&lt;/b&gt;") && !html.contains("<b>deploy</b>"))
            #expect(try await client.send(.get, "/api/v1/usage", token: key).status == .ok)

            let list = try await browser.get("/dashboard/api-keys")
            #expect(!list.html.contains(key), "the key must be shown only once")
            #expect(list.html.contains(String(key.prefix(11))))
            let idStart = try #require(list.html.range(of: "action=\"/dashboard/api-keys/"))
            let id = String(list.html[idStart.upperBound...].prefix { $0 != "/" })
            let revoked = try await browser.submit("/dashboard/api-keys", to: "/dashboard/api-keys/\(id)/revoke", [:])
            #expect(revoked.status == .seeOther)
            #expect(try await client.send(.get, "/api/v1/usage", token: key).status == .unauthorized)
        }
    }

    @Test func theDashboardShowsPlanUsageAndRecentPipelines() async throws {
        try await withTestApp { client, configuration in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "dash@example.com")
            let key = try #require(try await Self.newKey(browser))
            // A repository that does not exist here: the pipeline ends in `error` at once, without the network.
            let id = try await client.createPipeline(key: key, ["repo_url": "file:///nonexistent/app.git", "branch": "feature/x", "commands": ["true"]])
            let dashboard = try await browser.get("/dashboard")
            let free = configuration.plans.effectivePlan(id: PlanCatalog.freePlanID)
            #expect(dashboard.html.contains(free.name))
            #expect(dashboard.html.contains("Pipeline runs: 1 of \(free.pipelineRuns ?? 0)"))
            #expect(dashboard.html.contains("<svg class=\"chart\""))
            #expect(dashboard.html.contains("href=\"/dashboard/pipelines/\(id)\""))

            let ended = try await client.awaitPipeline(id, key: key)
            #expect(ended["status"] as? String == "error")
            let failed = try await browser.get("/dashboard/pipelines?status=error")
            #expect(failed.html.contains(id))
            let succeeded = try await browser.get("/dashboard/pipelines?status=success")
            #expect(!succeeded.html.contains(id))
        }
    }

    @Test func billingOffSaysSoAndAPaidSignUpStaysFree() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            let registered = try await browser.register(email: "nobill@example.com", plan: "pro")
            #expect(registered.location == "/dashboard/billing?notice=billing_off")
            let billing = try await browser.get(try #require(registered.location))
            #expect(billing.status == .ok)
            #expect(billing.html.contains("Billing is off on this server"))
        }
    }

    @Test func choosingProAtSignUpLeadsToItsCheckoutPage() async throws {
        try await withFakeStripeApp { client, fake, _ in
            let landing = try await WebBrowserClient(client).get("/")
            #expect(landing.html.contains("href=\"/auth/register?plan=pro\""))
            let browser = WebBrowserClient(client)
            let registered = try await browser.register(email: "pro@example.com", plan: "pro")
            #expect(registered.status == .seeOther)
            let location = try #require(registered.location)
            #expect(location.hasPrefix("https://checkout.stripe.test/"))
            #expect(await fake.checkoutSessions().last?["line_items[0][price]"] == "price_pro")
            #expect(registered.setCookie(named: WebSessions.cookieName) != nil)
            // From the billing page as well.
            let again = try await browser.submit("/dashboard/billing", to: "/dashboard/billing/checkout", ["plan": "enterprise"])
            #expect(again.location?.hasPrefix("https://checkout.stripe.test/") == true)
            #expect(await fake.checkoutSessions().last?["line_items[0][price]"] == "price_enterprise")
        }
    }

    @Test func safeRedirectKeepsOnlyPathsOfThisSite() {
        #expect(SafeRedirect.path("/dashboard/pipelines/1?x=1#L3") == "/dashboard/pipelines/1?x=1#L3")
        for hostile in ["//a.example", "/\\a.example", "https://a.example", "/%2fa.example", "/%5Ca.example", "a", "/x\u{0D}\u{0A}Set-Cookie: a=b", nil] {
            #expect(SafeRedirect.path(hostile) == SafeRedirect.fallback, "\(String(describing: hostile))")
        }
    }

    @Test func interpolatedTextIsEscaped() {
        let name = "<script>alert('x')</script>&\""
        let fragment: HTML = "<p title=\"\(name)\">\(name)</p>"
        #expect(fragment.rendered == "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</p>")
    }

    static func newKey(_ browser: WebBrowserClient) async throws -> String? {
        let created = try await browser.submit("/dashboard/api-keys", to: "/dashboard/api-keys", ["name": "ci"])
        guard let start = created.html.range(of: "id=\"new-key\">") else { return nil }
        return String(created.html[start.upperBound...].prefix { $0 != "<" })
    }
}
