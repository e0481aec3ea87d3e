import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

@Suite("accounts: register, login, refresh")
struct AuthRouteTests {
    @Test func registerReturnsUserAndTokens() async throws {
        try await withTestApp { client, _ in
            let response = try await client.send(.post, "/api/auth/register", json: ["email": "Ada@Example.com", "password": "analytical"])
            #expect(response.status == .created)
            let body = try json(response)
            let user = try #require(body["user"] as? [String: Any])
            #expect(user["email"] as? String == "ada@example.com")
            #expect(user["plan"] as? String == "free")
            #expect((user["id"] as? String)?.isEmpty == false)
            #expect((body["access_token"] as? String)?.split(separator: ".").count == 3)
            #expect((body["refresh_token"] as? String)?.hasPrefix("ffr_") == true)
        }
    }

    @Test func registerValidatesEachField() async throws {
        try await withTestApp { client, _ in
            let cases: [([String: Any], String)] = [
                (["email": "not-an-email", "password": "long enough"], "email"),
                (["password": "long enough"], "email"),
                (["email": "a@example.com", "password": "short"], "password"),
                (["email": "a@example.com"], "password"),
                (["email": "a@example.com", "password": "long enough", "plan": "platinum"], "plan"),
                (["email": 42, "password": "long enough"], "email"),
            ]
            for (body, field) in cases {
                let response = try await client.send(.post, "/api/auth/register", json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(try errorCode(response) == "validation_failed")
                let message = try #require((try json(response)["error"] as? [String: Any])?["message"] as? String)
                #expect(message.hasPrefix(field), "message \(message) should name \(field)")
            }
        }
    }

    @Test func registerWithPaidPlanAndDuplicateEmail() async throws {
        try await withTestApp { client, _ in
            let first = try await client.send(.post, "/api/auth/register", json: ["email": "dup@example.com", "password": "password1", "plan": "pro"])
            // A paid plan is granted only once Stripe reports the payment (billing is off here): free until then.
            #expect(first.status == .created)
            #expect(try (json(first)["user"] as? [String: Any])?["plan"] as? String == "free")
            let second = try await client.send(.post, "/api/auth/register", json: ["email": "DUP@example.com", "password": "password2"])
            #expect(second.status == .conflict)
            #expect(try errorCode(second) == "email_taken")
        }
    }

    @Test func malformedJSONIs400() async throws {
        try await withTestApp { client, _ in
            let response = try await client.execute(
                uri: "/api/auth/register", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"email\": ")
            )
            #expect(response.status == .badRequest)
            #expect(try errorCode(response) == "invalid_json")
        }
    }

    @Test func loginSucceedsAndFailsWithOneMessage() async throws {
        try await withTestApp { client, _ in
            _ = try await client.register(email: "grace@example.com", password: "hopper1906")
            let ok = try await client.send(.post, "/api/auth/login", json: ["email": "Grace@example.com", "password": "hopper1906"])
            #expect(ok.status == .ok)
            #expect((try json(ok)["access_token"] as? String) != nil)

            let wrongPassword = try await client.send(.post, "/api/auth/login", json: ["email": "grace@example.com", "password": "nope-nope"])
            let unknownEmail = try await client.send(.post, "/api/auth/login", json: ["email": "nobody@example.com", "password": "nope-nope"])
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownEmail.status == .unauthorized)
            #expect(String(buffer: wrongPassword.body) == String(buffer: unknownEmail.body))
        }
    }

    @Test func repeatedFailuresAreSlowed() async throws {
        try await withTestApp { client, _ in
            _ = try await client.register(email: "target@example.com", password: "the-real-one")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<7 {
                let response = try await client.send(.post, "/api/auth/login", json: ["email": "target@example.com", "password": "guess-guess"])
                statuses.append(response.status)
            }
            // Five free attempts; the sixth is refused before its password is checked.
            #expect(statuses.prefix(5).allSatisfy { $0 == .unauthorized }, "\(statuses)")
            #expect(statuses.dropFirst(5).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            // Even the right password waits until the lock ends.
            let locked = try await client.send(.post, "/api/auth/login", json: ["email": "target@example.com", "password": "the-real-one"])
            #expect(locked.status == .tooManyRequests)
            #expect(try errorCode(locked) == "too_many_attempts")
            let retryAfter = try #require(locked.headers[.retryAfter].flatMap(Int.init))
            #expect(retryAfter >= 1)
        }
    }

    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        try await withTestApp { client, _ in
            let session = try await client.register()
            let rotated = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh])
            #expect(rotated.status == .ok)
            let next = try #require(try json(rotated)["refresh_token"] as? String)
            #expect(next != session.refresh)
            let access = try #require(try json(rotated)["access_token"] as? String)
            #expect(try await client.send(.get, "/api/user/profile", token: access).status == .ok)

            // The old token again: refused, and the newer one of the same family dies with it.
            let reused = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh])
            #expect(reused.status == .unauthorized)
            #expect(try errorCode(reused) == "refresh_token_reused")
            let afterTheft = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": next])
            #expect(afterTheft.status == .unauthorized)

            let unknown = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": "ffr_made-up"])
            #expect(try errorCode(unknown) == "invalid_refresh_token")
            let missing = try await client.send(.post, "/api/auth/refresh", json: [String: String]())
            #expect(missing.status == .unprocessableContent)
        }
    }

    /// After a reuse revoked the family, a sibling that was never used is not told it "was already used":
    /// it is told its family was revoked because of a reuse. A password change's revocation says that instead.
    @Test func revokedTokensSayWhyTheyWereRevoked() async throws {
        try await withTestApp { client, _ in
            let email = "family-\(UUID().uuidString.prefix(8))@example.com"
            let session = try await client.register(email: email, password: "first-password")
            let rotated = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh])
            let sibling = try #require(try json(rotated)["refresh_token"] as? String)
            let reused = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh])
            #expect(try errorCode(reused) == "refresh_token_reused")

            let afterTheft = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": sibling])
            #expect(afterTheft.status == .unauthorized)
            #expect(try errorCode(afterTheft) == "refresh_token_family_revoked")
            let message = try #require((try json(afterTheft)["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("family") && message.contains("revoked") && message.contains("reused"), "\(message)")
            #expect(!message.contains("was already used"), "\(message)")
            // The reused token itself still says it was used.
            let again = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": session.refresh])
            #expect(try errorCode(again) == "refresh_token_reused")

            // Another sign-in, ended by a password change.
            let signIn = try json(try await client.send(.post, "/api/auth/login", json: ["email": email, "password": "first-password"]))
            let otherRefresh = try #require(signIn["refresh_token"] as? String)
            let changed = try await client.send(
                .patch, "/api/user/profile", token: session.access,
                json: ["password": "second-password", "current_password": "first-password"])
            #expect(changed.status == .ok)
            let ended = try await client.send(.post, "/api/auth/refresh", json: ["refresh_token": otherRefresh])
            #expect(try errorCode(ended) == "refresh_token_revoked")
        }
    }

    /// The access token from sign-in, sent to the v1 API, is told what that API takes and where to get it.
    @Test func anAccessTokenOnTheV1APIIsToldToUseAnAPIKey() async throws {
        try await withTestApp { client, _ in
            let session = try await client.register()
            for path in ["/api/v1/user", "/v1/pipelines"] {
                let response = try await client.send(.get, path, token: session.access)
                #expect(response.status == .unauthorized)
                #expect(try errorCode(response) == "api_key_required")
                let message = try #require((try json(response)["error"] as? [String: Any])?["message"] as? String)
                #expect(message.contains("this route takes an API key") && message.contains("POST /api/user/api-keys"), "\(message)")
            }
        }
    }
}
