import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("Web form rate limit")
struct WebFormRateLimitTests {
    @Test func formsAreCountedPerAddressSignedOutAndPerAccountSignedIn() async throws {
        try await withTestApp(environment: ["RATE_LIMIT_MAX_REQUESTS": "3", "RATE_LIMIT_WINDOW": "60000"]) { client, _ in
            let member = WebBrowserClient(client)
            #expect(try await member.register(email: "member@example.com").status == .seeOther)  // 1st of the address

            let visitor = WebBrowserClient(client)
            #expect(try await visitor.register(email: "member@example.com").status != .tooManyRequests)  // email taken, 2nd
            #expect(try await visitor.register(email: "member@example.com").status != .tooManyRequests)  // 3rd
            let limited = try await visitor.register(email: "new@example.com")
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] != nil)
            #expect(limited.html.contains("too many forms sent"))
            #expect(limited.headers[HTTPField.Name("Content-Security-Policy")!] != nil)
            // Refused before the form was read: no account was made.
            #expect(try await visitor.signIn(email: "new@example.com").status == .tooManyRequests)

            // The signed-in member counts against the account, not the exhausted address.
            for index in 0..<3 {
                let created = try await member.submit("/dashboard/api-keys", to: "/dashboard/api-keys", ["name": "key \(index)"])
                #expect(created.status != .tooManyRequests)
            }
            let over = try await member.submit("/dashboard/api-keys", to: "/dashboard/api-keys", ["name": "one too many"])
            #expect(over.status == .tooManyRequests)
        }
    }
}
