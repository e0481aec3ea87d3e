import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// The repositories page's toggles change the same settings `PATCH /api/user/repositories/:id` does.
@Suite("web: repository settings")
struct WebRepositorySettingsTests {
    @Test func togglesChangeWhatTheAPIReturnsForTheOwnerOnly() async throws {
        try await withTestApp { client, configuration in
            let access = try await client.register(email: "settings@example.com").access
            let created = try await client.connectRepository(
                access: access, provider: "git", fullName: "team/app", cloneURL: "http://127.0.0.1:9/team/app.git")
            let id = try #require(created["id"] as? String)
            let browser = WebBrowserClient(client)
            #expect(try await browser.signIn(email: "settings@example.com").status == .seeOther)
            let badge = "![build](\(configuration.apiBaseURL)/badge/\(id).svg?branch="

            let before = try await browser.get("/dashboard/repositories")
            #expect(before.html.contains("aria-pressed=\"false\">Public badge: off</button>"))
            #expect(!before.html.contains(badge), "no snippet while the badge is private")

            for (field, value) in [("auto_cancel", "true"), ("public_badge", "true")] {
                let toggled = try await browser.submit("/dashboard/repositories", to: "/dashboard/repositories/\(id)/settings", [field: value])
                #expect(toggled.status == .seeOther)
                #expect(toggled.location == "/dashboard/repositories#repository-\(id)")
            }
            var shown = try json(try await client.send(.get, "/api/user/repositories/\(id)", token: access))
            #expect(shown["auto_cancel"] as? Bool == true)
            #expect(shown["public_badge"] as? Bool == true)
            let after = try await browser.get("/dashboard/repositories")
            #expect(after.html.contains("aria-pressed=\"true\">Public badge: on</button>"))
            #expect(after.html.contains(badge), "\(after.html)")
            #expect(try await client.execute(uri: "/badge/\(id).svg", method: .get).status == .ok, "the badge answers anyone now")

            _ = try await browser.submit("/dashboard/repositories", to: "/dashboard/repositories/\(id)/settings", ["public_badge": "false"])
            shown = try json(try await client.send(.get, "/api/user/repositories/\(id)", token: access))
            #expect(shown["public_badge"] as? Bool == false)
            #expect(shown["auto_cancel"] as? Bool == true, "a form changes only the setting it names")

            let bad = try await browser.submit("/dashboard/repositories", to: "/dashboard/repositories/\(id)/settings", ["auto_cancel": "yes"])
            #expect(bad.status == .unprocessableContent || bad.status == .badRequest, "\(bad.status)")

            let stranger = WebBrowserClient(client)
            _ = try await stranger.register(email: "stranger-settings@example.com")
            let forged = try await stranger.submit("/dashboard/repositories", to: "/dashboard/repositories/\(id)/settings", ["auto_cancel": "false"])
            #expect(forged.status == .notFound)
            shown = try json(try await client.send(.get, "/api/user/repositories/\(id)", token: access))
            #expect(shown["auto_cancel"] as? Bool == true)

            // Without the CSRF token the form is refused.
            let noToken = try await browser.post("/dashboard/repositories/\(id)/settings", ["auto_cancel": "false"])
            #expect(noToken.status == .forbidden)
        }
    }
}
