import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("health, plans, errors")
struct PlatformRouteTests {
    @Test func healthAndReadiness() async throws {
        try await withTestApp { client, _ in
            #expect(try await client.send(.get, "/healthz").status == .ok)
            let ready = try await client.send(.get, "/readyz")
            #expect(ready.status == .ok)
            #expect(try json(ready)["status"] as? String == "ready")
        }
    }

    @Test func plansArePublic() async throws {
        try await withTestApp { client, _ in
            let response = try await client.send(.get, "/api/billing/plans")
            #expect(response.status == .ok)
            let plans = try #require(try json(response)["plans"] as? [[String: Any]])
            #expect(plans.map { $0["id"] as? String } == ["free", "pro", "enterprise"])
            for plan in plans {
                for key in ["name", "price", "pipeline_runs", "compute_minutes", "concurrent_builds", "features"] {
                    #expect(plan.keys.contains(key), "plan \(plan["id"] ?? "?") lacks \(key)")
                }
            }
            #expect(plans[0]["price"] as? Double == 0)
            #expect(plans[2]["pipeline_runs"] as? Int == 2000)
        }
    }

    @Test func unknownRouteIsJSON404() async throws {
        try await withTestApp { client, _ in
            let response = try await client.send(.get, "/api/nothing-here")
            #expect(response.status == .notFound)
            #expect(try errorCode(response) == "not_found")
        }
    }

    @Test func clientsOverTheRateLimitGet429() async throws {
        try await withTestApp(environment: ["RATE_LIMIT_MAX_REQUESTS": "3", "RATE_LIMIT_WINDOW": "60000"]) { client, _ in
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await client.send(.get, "/api/billing/plans").status) }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests])
            let limited = try await client.send(.get, "/api/billing/plans")
            #expect(try errorCode(limited) == "rate_limited")
            #expect(limited.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 && $0 <= 60 } == true)
            // Health checks are not API calls and are never limited.
            #expect(try await client.send(.get, "/healthz").status == .ok)
        }
    }

    @Test func oversizedBodyIs413() async throws {
        try await withTestApp(environment: ["MAX_FILE_SIZE": "1024"]) { client, _ in
            let big = String(repeating: "x", count: 4096)
            let response = try await client.send(.post, "/api/auth/register", json: ["email": "a@example.com", "password": big])
            #expect(response.status == .contentTooLarge)
            #expect(try errorCode(response) == "payload_too_large")
        }
    }
}
