import FlowForgeStore
import Foundation
import Hummingbird

/// Browser sessions: a random token in an HttpOnly, SameSite=Lax cookie, stored server-side (hashed) so that
/// sign-out, a password change or expiry ends it for good.
struct WebSessions: Sendable {
    static let cookieName = "flowforge_session"
    static let csrfCookieName = "flowforge_csrf"

    /// A cookie's name as sent: `__Host-` when `Secure`, which makes browsers refuse it unless it was set by
    /// this very host over HTTPS with `Path=/` (no subdomain or plain-HTTP page can plant or shadow it).
    /// Browsers accept `__Host-` only with `Secure`, so plain-HTTP development keeps the bare names.
    static func name(_ base: String, secure: Bool) -> String { secure ? "__Host-" + base : base }

    var sessionCookie: String { Self.name(Self.cookieName, secure: secureCookies) }
    var csrfCookie: String { Self.name(Self.csrfCookieName, secure: secureCookies) }
    static let lifetimeSeconds = 14 * 24 * 60 * 60

    let store: any WebSessionRepository
    let users: any UserRepository
    /// `Secure` on every cookie unless the app is served on localhost or 127.0.0.1 (plain-HTTP development).
    let secureCookies: Bool

    init(store: any WebSessionRepository, users: any UserRepository, frontendURL: String) {
        self.store = store
        self.users = users
        let host = URLComponents(string: frontendURL)?.host?.lowercased() ?? ""
        secureCookies = !["localhost", "127.0.0.1", "::1", "[::1]"].contains(host)
    }

    init(services: AppServices) {
        self.init(
            store: SQLWebSessionRepository(database: services.database), users: services.users,
            frontendURL: services.configuration.frontendURL)
    }

    /// Starts a session for `user` and returns the `Set-Cookie` value that carries it.
    func begin(for user: UserRecord) async throws -> String {
        let token = SecretHashing.randomToken()
        let now = Clock.nowMillis()
        let record = WebSessionRecord(
            id: UUID().uuidString.lowercased(), userID: user.id, csrfToken: SecretHashing.randomToken(),
            tokenGeneration: user.tokenGeneration, createdAt: now, expiresAt: now + Int64(Self.lifetimeSeconds) * 1000)
        try await store.create(record, tokenHash: SecretHashing.sha256Hex(token))
        return cookie(sessionCookie, token, maxAge: Self.lifetimeSeconds)
    }

    /// The live session named by the request's cookie, and its account.
    func resolve(_ request: Request) async throws -> (WebSessionRecord, UserRecord)? {
        guard let token = request.cookies[sessionCookie]?.value, !token.isEmpty, token.count <= 200 else { return nil }
        guard let session = try await store.findLive(tokenHash: SecretHashing.sha256Hex(token), now: Clock.nowMillis()),
              let user = try await users.find(id: session.userID)
        else { return nil }
        return (session, user)
    }

    /// Ends the request's session (if any) and returns the `Set-Cookie` value that clears the cookie.
    func end(_ request: Request) async throws -> String {
        if let token = request.cookies[sessionCookie]?.value, !token.isEmpty {
            try await store.delete(tokenHash: SecretHashing.sha256Hex(token))
        }
        return clearing(sessionCookie)
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Lax" + (secureCookies ? "; Secure" : "")
    }

    func clearing(_ name: String) -> String { cookie(name, "", maxAge: 0) }
}
