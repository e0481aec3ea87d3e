import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// The product's flow in a real headless Chromium against the running server, with pipelines on the real
/// dockerd: pick a plan → register → API key → a pipeline followed live → cancel → revoke → sign out → back.
@Suite("web: browser", .needsBrowser, .dockerPrerequisites)
struct BrowserFlowTests {
    @Test func theDashboardFlowFromPricingTableToALivePipeline() async throws {
        // Served over HTTP on 127.0.0.1: the repository's URL shows in the committed screenshots, and a
        // file URL would show a path of the machine that made them.
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("acme/web.git")
        let repositoryURL = server.baseURL + "/acme/web.git"
        try repository.commit(["README": "hi\n"])
        try await withLiveTestApp(environment: pipelineEnvironment()) { client, port, configuration in
            let site = "http://127.0.0.1:\(port)"
            try await withBrowser { browser in
                // The landing page's pricing table → the free plan's sign-up.
                try await browser.open(site + "/")
                try await browser.screenshots("landing")
                try await browser.click("a[data-plan=\"free\"]")
                try await browser.waitUntil("for the sign-up form", "return location.pathname === '/auth/register';")
                #expect(try await browser.execute("return document.querySelector('input[name=plan][value=free]').checked;") as? Bool == true)
                try await browser.type("#email", "browser@example.com")
                try await browser.type("#password", "correct horse")
                try await browser.click("main button[type=submit]")
                try await browser.waitUntil("for the dashboard", "return location.pathname === '/dashboard';")

                // An API key, shown once, copied with its button.
                try await browser.open(site + "/dashboard/api-keys")
                try await browser.type("#key-name", "browser")
                try await browser.click("main form[action=\"/dashboard/api-keys\"] button")
                try await browser.waitUntil("for the new key", "return !!document.getElementById('new-key');")
                let key = try await browser.text("#new-key")
                #expect(key.hasPrefix("ff_"))
                try? await browser.grant("clipboard-read")
                try? await browser.grant("clipboard-write")
                try await browser.click("[data-copy=\"new-key\"]")
                try await browser.waitUntil("for the copy", "return document.querySelector('[data-copy]').getAttribute('data-copied') === 'true';")
                if let copied = try? await browser.executeAsync(
                    "var done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, function () { done(null); });") as? String {
                    #expect(copied == key)
                }

                // A pipeline started through the API, its log arriving on the page while it runs.
                let id = try await client.createPipeline(key: key, ["repo_url": repositoryURL, "commands": [
                    "echo first-line", "printf '\\033[32mgreen-text\\033[0m <b>not-markup</b>\\n'",
                    "while [ ! -e go ]; do sleep 0.1; done", "echo last-line",
                ]])
                try await browser.open(site + "/dashboard/pipelines/\(id)")
                try await browser.waitUntil("for the first line", "return document.getElementById('log').textContent.indexOf('first-line') >= 0;")
                try await browser.waitUntil("for the coloured line", "return document.getElementById('log').textContent.indexOf('not-markup') >= 0;")
                let running = try json(try await client.send(.get, "/api/v1/pipelines/\(id)", token: key))
                #expect(running["status"] as? String == "running")
                #expect(try await browser.execute("return document.getElementById('log').textContent.indexOf('last-line') < 0;") as? Bool == true)
                #expect(try await browser.execute("var s = document.querySelector('#log .ansi-green'); return s ? s.textContent : null;") as? String == "green-text")
                #expect(try await browser.execute("return document.querySelectorAll('#log b').length;") as? Int == 0)
                #expect(try await browser.execute("return !!document.querySelector('#log .line[id] > a[href^=\"#L\"]');") as? Bool == true)

                let signal = configuration.dataDirectory.appendingPathComponent("workspaces/\(id)/go")
                #expect(FileManager.default.createFile(atPath: signal.path, contents: Data()))
                try await browser.waitUntil("for the end", "return document.getElementById('log').getAttribute('data-ended') === 'true';")
                #expect(try await browser.text("#pipeline-status") == "success")
                #expect(try await browser.execute("return document.getElementById('log').textContent.indexOf('last-line') >= 0;") as? Bool == true)
                try await browser.screenshots("pipeline")
                try await browser.open(site + "/dashboard")
                try await browser.screenshots("dashboard")

                // Cancel another one from its page while it runs.
                let other = try await client.createPipeline(key: key, ["repo_url": repositoryURL, "commands": [
                    "echo waiting", "while [ ! -e never ]; do sleep 0.1; done",
                ]])
                try await browser.open(site + "/dashboard/pipelines/\(other)")
                try await browser.waitUntil("for it to run", "return document.getElementById('log').textContent.indexOf('waiting') >= 0;")
                try await browser.click("#cancel")
                try await browser.waitUntil("for the cancel", "return document.getElementById('pipeline-status').textContent === 'canceled';")
                let canceled = try json(try await client.send(.get, "/api/v1/pipelines/\(other)", token: key))
                #expect(canceled["status"] as? String == "canceled")

                // Revoke the key: the API refuses it at once.
                try await browser.open(site + "/dashboard/api-keys")
                try await browser.click("button[aria-label=\"Revoke browser\"]")
                try await browser.waitUntil("for the revoke", "return location.search.indexOf('revoked') >= 0;")
                #expect(try await client.send(.get, "/api/v1/usage", token: key).status == .unauthorized)

                // Sign out; a signed-out visit to the pipeline page signs in and lands back on it.
                try await browser.click(".signout button")
                try await browser.waitUntil("for the landing page", "return location.pathname === '/';")
                try await browser.open(site + "/dashboard/pipelines/\(id)")
                try await browser.waitUntil("for the sign-in page", "return location.pathname === '/auth/login';")
                try await browser.type("#email", "browser@example.com")
                try await browser.type("#password", "correct horse")
                try await browser.click("main button[type=submit]")
                try await browser.waitUntil("for the pipeline page", "return location.pathname === '/dashboard/pipelines/\(id)';")
                try await browser.waitUntil("for its log", "return document.getElementById('log').textContent.indexOf('last-line') >= 0;")
            }
        }
    }

    @Test func choosingProLeadsToItsCheckoutPage() async throws {
        let fake = try await FakeStripe(secretKey: testStripeKey, prices: ["price_pro", "price_enterprise"])
        try await withLiveTestApp(environment: stripeEnvironment(base: fake.baseURL)) { _, port, _ in
            try await withBrowser { browser in
                try await browser.open("http://127.0.0.1:\(port)/")
                try await browser.click("a[data-plan=\"pro\"]")
                try await browser.waitUntil("for the sign-up form", "return location.pathname === '/auth/register';")
                #expect(try await browser.execute("return document.querySelector('input[name=plan][value=pro]').checked;") as? Bool == true)
                try await browser.type("#email", "pro-browser@example.com")
                try await browser.type("#password", "correct horse")
                try await browser.click("main button[type=submit]")
                // Chromium resolves no host here, so it stops at Stripe's address: the URL is what counts.
                let deadline = ContinuousClock.now + .seconds(30)
                var url = ""
                while ContinuousClock.now < deadline {
                    url = try await browser.currentURL()
                    if url.hasPrefix("https://checkout.stripe.test/") { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(url.hasPrefix("https://checkout.stripe.test/"), "\(url)")
            }
        }
        #expect(await fake.checkoutSessions().last?["line_items[0][price]"] == "price_pro")
        #expect(await fake.violations() == [])
    }
}
