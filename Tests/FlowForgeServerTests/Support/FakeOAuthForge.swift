import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// A stand-in for the OAuth endpoints of GitHub, GitLab and Bitbucket on 127.0.0.1. It follows their published
/// contracts closely enough to catch a wrong request: the token endpoint only grants `good-code` with the right
/// client credentials and redirect URI, the profile endpoints only answer the token it granted.
final class FakeOAuthForge: Sendable {
    struct TokenRequest: Sendable {
        let form: [String: String]
        let authorization: String?
    }

    static let grantedToken = "forge-token-123"
    let tokenRequests = Mutex<[TokenRequest]>([])

    /// Runs the fake while `body` runs; `body` gets its base URL.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/login/oauth/access_token") { request, context in try await self.token(request, context) }
        router.post("/oauth/token") { request, context in try await self.token(request, context) }
        router.get("/user") { request, _ in try Self.profile(request, #"{"id": 4242, "login": "octocat", "email": null}"#) }
        router.get("/user/emails") { request, _ in
            try Self.profile(request, #"[{"email": "old@example.com", "primary": false, "verified": true}, {"email": "Octo@Example.com", "primary": true, "verified": true}]"#)
        }
        router.get("/api/v4/user") { request, _ in try Self.profile(request, #"{"id": 77, "username": "gitlabber", "email": "gl@example.com"}"#) }

        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "fake-forge")
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            let serviceGroup = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "fake-forge")))
            group.addTask { try await serviceGroup.run() }
            let deadline = ContinuousClock.now + .seconds(60)
            while port.withLock({ $0 }) == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            let bound = try #require(port.withLock { $0 })
            do {
                try await body("http://127.0.0.1:\(bound)")
            } catch {
                await serviceGroup.triggerGracefulShutdown()
                throw error
            }
            await serviceGroup.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    private func token(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 65536)
        var form: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        tokenRequests.withLock { $0.append(TokenRequest(form: form, authorization: request.headers[.authorization])) }
        let valid = form["code"] == "good-code" && form["client_id"] == "client-id" && form["client_secret"] == "client-secret"
            && form["redirect_uri"]?.hasSuffix("/callback") == true
        let json = valid
            ? #"{"access_token": "\#(Self.grantedToken)", "token_type": "bearer", "refresh_token": "refresh-456"}"#
            : #"{"error": "bad_verification_code"}"#
        return Response(status: valid ? .ok : .unauthorized, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    private static func profile(_ request: Request, _ json: String) throws -> Response {
        guard request.headers[.authorization] == "Bearer \(grantedToken)" else { return Response(status: .unauthorized) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}
