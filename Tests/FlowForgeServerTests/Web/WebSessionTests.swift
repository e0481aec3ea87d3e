import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("web: sessions, CSRF, CSP, sign-in redirects")
struct WebSessionTests {
    @Test func registerStartsAServerSideSessionInAnHttpOnlyLaxCookie() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            let registered = try await browser.register(email: "ada@example.com")
            #expect(registered.status == .seeOther)
            #expect(registered.location == "/dashboard")
            let cookie = try #require(registered.setCookie(named: WebSessions.cookieName))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            // Served on localhost: no Secure, or the browser would never send it back over plain HTTP.
            #expect(!cookie.contains("Secure"))

            let dashboard = try await browser.get("/dashboard")
            #expect(dashboard.status == .ok)
            #expect(dashboard.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(dashboard.html.contains("ada@example.com"))
        }
    }

    @Test func cookiesAreSecureWhenServedElsewhere() async throws {
        try await withTestApp(environment: ["FRONTEND_URL": "https://ci.example.com"]) { client, _ in
            let landing = try await client.execute(uri: "/", method: .get)
            #expect(landing.setCookie(named: WebSessions.csrfCookieName) == nil)
            let csrf = try #require(landing.setCookie(named: "__Host-" + WebSessions.csrfCookieName))
            #expect(csrf.contains("; Secure") && csrf.contains("Path=/") && !csrf.contains("Domain"))
            let browser = WebBrowserClient(client)
            let registered = try await browser.register(email: "sec@example.com")
            #expect(registered.setCookie(named: WebSessions.cookieName) == nil)
            #expect(try #require(registered.setCookie(named: "__Host-" + WebSessions.cookieName)).contains("; Secure"))
            #expect(try await browser.get("/dashboard").html.contains("sec@example.com"))
            // The bare name (as a subdomain or plain-HTTP page could plant it) is not a session there.
            let planted = WebBrowserClient(client)
            planted.setCookie(WebSessions.cookieName, browser.cookie("__Host-" + WebSessions.cookieName))
            #expect(try await planted.get("/dashboard").location?.hasPrefix("/auth/login") == true)
        }
    }

    @Test func everyPageCarriesTheContentSecurityPolicy() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            for path in ["/", "/auth/login", "/auth/register?plan=free"] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path)")
                let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!], "\(path)")
                #expect(policy.contains("default-src 'self'"))
                #expect(policy.contains("script-src 'self'"))
                #expect(policy.contains("style-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(policy.contains("form-action 'self'"))
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                // No inline script or style for the policy to have to allow.
                #expect(!page.html.contains("<script>") && !page.html.contains("style=\""), "\(path)")
            }
        }
    }

    @Test func errorAndDocumentationPagesCarryTheSecurityHeaders() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            for path in ["/docs", "/docs/no-such-page", "/dashboard/pipelines/not-a-real-id", "/auth/callback"] {
                if path.hasPrefix("/dashboard") { _ = try await browser.register(email: "headers@example.com") }
                let page = try await browser.get(path)
                #expect(page.headers[HTTPField.Name("Content-Security-Policy")!] != nil, "\(path)")
                #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY", "\(path)")
                #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", "\(path)")
                #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin", "\(path)")
            }
        }
    }

    @Test func aPostWithoutTheFormsTokenIsRefused() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "csrf@example.com")
            let missing = try await browser.post("/dashboard/api-keys", ["name": "forged"])
            #expect(missing.status == .forbidden)
            #expect(missing.html.contains("security token"))
            let wrong = try await browser.post("/dashboard/api-keys", ["name": "forged", "csrf_token": "not-the-token"])
            #expect(wrong.status == .forbidden)
            // A JSON body (what a cross-site fetch could send without a form) is refused too.
            var headers = HTTPFields()
            headers[.cookie] = browser.cookieHeader
            headers[.contentType] = "application/json"
            let json = try await client.execute(uri: "/dashboard/api-keys", method: .post, headers: headers, body: ByteBuffer(string: "{\"name\":\"x\"}"))
            #expect(json.status == .forbidden)

            let keys = try await browser.get("/dashboard/api-keys")
            #expect(!keys.html.contains("forged"))
            // The sign-in form of a signed-out browser is protected as well (no login CSRF).
            let anonymous = WebBrowserClient(client)
            let login = try await anonymous.post("/auth/login", ["email": "csrf@example.com", "password": "correct horse"])
            #expect(login.status == .forbidden)
            #expect(login.setCookie(named: WebSessions.cookieName) == nil)
        }
    }

    @Test func aSignedOutVisitLandsOnLoginAndReturnsToThePageAfter() async throws {
        try await withTestApp { client, _ in
            let owner = WebBrowserClient(client)
            _ = try await owner.register(email: "back@example.com")
            _ = try await owner.submit("/dashboard", to: "/auth/logout", [:])

            let visitor = WebBrowserClient(client)
            let page = try await visitor.get("/dashboard/pipelines/1234?tab=log")
            #expect(page.status == .seeOther)
            let location = try #require(page.location)
            #expect(location == "/auth/login?next=/dashboard/pipelines/1234%3Ftab%3Dlog")
            let form = try await visitor.get(location)
            #expect(form.html.contains("name=\"next\" value=\"/dashboard/pipelines/1234?tab=log\""))
            let signedIn = try await visitor.signIn(email: "back@example.com", next: "/dashboard/pipelines/1234?tab=log")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.location == "/dashboard/pipelines/1234?tab=log")
        }
    }

    @Test func nextNeverLeadsOffTheSite() async throws {
        try await withTestApp { client, _ in
            _ = try await WebBrowserClient(client).register(email: "open@example.com")
            for next in ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/%2F%2Fevil.example", "javascript:alert(1)", "/\u{0A}x", ""] {
                let browser = WebBrowserClient(client)
                let response = try await browser.signIn(email: "open@example.com", next: next)
                #expect(response.status == .seeOther, "\(next)")
                #expect(response.location == "/dashboard", "next \(next.debugDescription) led to \(response.location ?? "nil")")
            }
        }
    }

    @Test func signOutEndsTheSessionOnTheServer() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "bye@example.com")
            let stolen = try #require(browser.cookie(WebSessions.cookieName))
            let out = try await browser.submit("/dashboard", to: "/auth/logout", [:])
            #expect(out.status == .seeOther)
            #expect(out.location == "/")
            #expect(try #require(out.setCookie(named: WebSessions.cookieName)).contains("Max-Age=0"))

            // The cookie's value, replayed after sign-out, signs nobody in.
            let replay = WebBrowserClient(client)
            replay.setCookie(WebSessions.cookieName, stolen)
            let page = try await replay.get("/dashboard")
            #expect(page.status == .seeOther)
            #expect(page.location?.hasPrefix("/auth/login") == true)
        }
    }

    @Test func aPasswordChangeEndsEverySessionButTheOneThatMadeIt() async throws {
        try await withTestApp { client, _ in
            let laptop = WebBrowserClient(client)
            _ = try await laptop.register(email: "pw@example.com", password: "first password")
            let phone = WebBrowserClient(client)
            _ = try await phone.signIn(email: "pw@example.com", password: "first password")
            #expect(try await phone.get("/dashboard").status == .ok)

            let wrong = try await laptop.submit(
                "/dashboard/settings", to: "/dashboard/settings/password", ["current_password": "nope nope", "new_password": "second password"])
            #expect(wrong.status == .forbidden)
            #expect(try await phone.get("/dashboard").status == .ok)

            let changed = try await laptop.submit(
                "/dashboard/settings", to: "/dashboard/settings/password", ["current_password": "first password", "new_password": "second password"])
            #expect(changed.status == .seeOther)
            #expect(try await laptop.get("/dashboard").status == .ok)
            let ended = try await phone.get("/dashboard")
            #expect(ended.status == .seeOther)
            #expect(ended.location?.hasPrefix("/auth/login") == true)
        }
    }

    @Test func aPasswordChangeThroughTheAPIEndsBrowserSessionsToo() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "api-pw@example.com", password: "first password")
            let login = try json(try await client.send(.post, "/api/auth/login", json: ["email": "api-pw@example.com", "password": "first password"]))
            let access = try #require(login["access_token"] as? String)
            let patched = try await client.send(
                .patch, "/api/user/profile", token: access, json: ["password": "second password", "current_password": "first password"])
            #expect(patched.status == .ok)
            #expect(try await browser.get("/dashboard").status == .seeOther)
        }
    }

    @Test func anotherAccountsPipelinePageIsNotFound() async throws {
        try await withTestApp { client, _ in
            let (access, _, _) = try await client.register(email: "owner@example.com")
            let key = try await client.createAPIKey(access: access)
            let id = try await client.createPipeline(key: key, ["repo_url": "file:///nonexistent/app.git", "commands": ["true"]])

            let owner = WebBrowserClient(client)
            _ = try await owner.signIn(email: "owner@example.com")
            let own = try await owner.get("/dashboard/pipelines/\(id)")
            #expect(own.status == .ok)
            #expect(own.html.contains("data-events=\"/dashboard/pipelines/\(id)/events\""))

            let stranger = WebBrowserClient(client)
            _ = try await stranger.register(email: "stranger@example.com")
            for path in ["/dashboard/pipelines/\(id)", "/dashboard/pipelines/\(id)/events", "/dashboard/pipelines/\(id)/logs"] {
                let response = try await stranger.get(path)
                #expect(response.status == .notFound, "\(path)")
            }
            let cancel = try await stranger.submit("/dashboard/pipelines", to: "/dashboard/pipelines/\(id)/cancel", [:])
            #expect(cancel.status == .notFound)
            let still = try json(try await client.send(.get, "/api/v1/pipelines/\(id)", token: key))
            #expect(still["status"] as? String != "canceled")
            // The old status link (`/pipelines/:id`) leads to the dashboard page.
            #expect(try await owner.get("/pipelines/\(id)").location == "/dashboard/pipelines/\(id)")
        }
    }

    @Test func aForgeSignInFromTheWebPageEndsInABrowserSessionAndAHandedTokenDoesNot() async throws {
        let fake = FakeOAuthForge()
        try await fake.run { base in
            try await withTestApp(environment: OAuthTests.environment(fake: base)) { client, _ in
                let browser = WebBrowserClient(client)
                let login = try await browser.get("/auth/login")
                #expect(login.html.contains("href=\"/auth/github?web=1\">Sign in with GitHub</a>"))
                #expect(!login.html.contains("/auth/bitbucket"))

                // The old attack: an access token of the attacker's account handed to the callback page.
                let (attacker, _, _) = try await client.register(email: "attacker@example.com")
                let page = try await browser.get("/auth/callback#access_token=\(attacker)")
                #expect(page.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true)) == nil)
                #expect(!page.html.contains("/assets/oauth.js"))
                var posted = try await browser.post("/auth/callback", ["access_token": attacker, "csrf_token": browser.cookie(WebSessions.name(WebSessions.csrfCookieName, secure: true)) ?? ""])
                #expect(posted.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true)) == nil)
                posted = try await browser.submit("/auth/login", to: "/auth/callback", ["access_token": attacker])
                #expect(posted.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true)) == nil)
                #expect(try await browser.get("/dashboard").location?.hasPrefix("/auth/login") == true)

                // The real flow: the forge callback checks state and this browser's nonce, then starts the session.
                let start = try await browser.get("/auth/github?web=1")
                let startLocation = try #require(start.location)
                let authorize = try #require(URLComponents(string: startLocation))
                let state = try #require(authorize.queryItems?.first { $0.name == "state" }?.value)
                let stateQuery = state.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? state
                // Another browser (the victim's, handed the attacker's callback link) has no nonce: no session.
                let victim = WebBrowserClient(client)
                let forged = try await victim.get("/auth/github/callback?code=good-code&state=\(stateQuery)")
                #expect(forged.status == .badRequest)
                #expect(forged.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true)) == nil)

                let done = try await browser.get("/auth/github/callback?code=good-code&state=\(stateQuery)")
                #expect(done.status == .seeOther)
                #expect(done.location == "/dashboard")
                #expect(done.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true))?.contains("HttpOnly") == true)
                #expect(done.headers[values: .setCookie].contains(OAuthStateClaims.clearedCookie))
                #expect(try await browser.get("/dashboard").html.contains("octo@example.com"))

                // Without `web=1` the flow still ends in tokens for the client that started it, not a session.
                let apiStart = try await browser.get("/auth/github")
                let apiLocation = try #require(apiStart.location)
                let apiState = try #require(URLComponents(string: apiLocation)?.queryItems?.first { $0.name == "state" }?.value)
                let apiDone = try await browser.get("/auth/github/callback?code=good-code&state=\(apiState.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? apiState)")
                #expect(apiDone.location?.hasPrefix("http://frontend.test/auth/callback#access_token=") == true)
                #expect(apiDone.setCookie(named: WebSessions.name(WebSessions.cookieName, secure: true)) == nil)
            }
        }
    }
}
