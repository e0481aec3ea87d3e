import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("Web password change throttle")
struct WebPasswordChangeThrottleTests {
    @Test func guessingTheCurrentPasswordIsThrottledLikeSignIn() async throws {
        try await withTestApp { client, _ in
            let browser = WebBrowserClient(client)
            _ = try await browser.register(email: "guess@example.com", password: "first password")
            for _ in 0..<5 {
                let wrong = try await browser.submit(
                    "/dashboard/settings", to: "/dashboard/settings/password", ["current_password": "a guess!", "new_password": "second password"])
                #expect(wrong.status == .forbidden)
            }
            // The right password no longer gets through from this address: guessing is not free.
            let locked = try await browser.submit(
                "/dashboard/settings", to: "/dashboard/settings/password", ["current_password": "first password", "new_password": "second password"])
            #expect(locked.status == .tooManyRequests)
            #expect(locked.html.contains("too many failed sign-ins"))
            #expect(try await WebBrowserClient(client).signIn(email: "guess@example.com", password: "first password").status == .tooManyRequests)
        }
    }
}
