import FlowForgeStore
import Foundation
import Hummingbird

/// What sign-up, sign-in and refresh answer with.
struct SessionResponse: ResponseEncodable {
    struct User: Encodable {
        let id: String
        let email: String
        let plan: String
    }
    let user: User
    let accessToken: String
    let refreshToken: String
    let tokenType = "Bearer"
    let expiresIn: Int
    /// Registration with a paid plan: the Stripe Checkout page that pays for it (the account is free until then).
    var checkoutURL: String? = nil
    /// Registration with a paid plan that could not be started: why, and what to do.
    var billingNotice: String? = nil
}

/// Issues an access token and a refresh token for an account. Refresh tokens are `ffr_` + 32 random bytes,
/// stored only as SHA-256, and belong to a family (one sign-in) so reuse of a rotated one can revoke it all.
struct SessionIssuer: Sendable {
    let accessTokens: AccessTokens
    let refreshTokens: any RefreshTokenRepository
    let refreshLifetime: TimeInterval

    /// A new sign-in: the first token of a new family.
    func issue(for user: UserRecord) async throws -> SessionResponse {
        let refresh = "ffr_" + SecretHashing.randomToken()
        let now = Clock.nowMillis()
        try await refreshTokens.create(
            id: UUID().uuidString.lowercased(), userID: user.id, familyID: UUID().uuidString.lowercased(),
            tokenHash: SecretHashing.sha256Hex(refresh), generation: user.tokenGeneration, createdAt: now,
            expiresAt: now + Int64(refreshLifetime * 1000)
        )
        return try await response(for: user, generation: user.tokenGeneration, refreshToken: refresh)
    }

    /// Uses a presented refresh token and stores its successor in one step (see `RefreshTokenRepository.rotate`).
    /// Returns the rotation and, when it rotated, the successor token in clear.
    func rotate(presented token: String) async throws -> (RefreshRotation, String) {
        let refresh = "ffr_" + SecretHashing.randomToken()
        let now = Clock.nowMillis()
        let successor = RefreshSuccessor(
            id: UUID().uuidString.lowercased(), tokenHash: SecretHashing.sha256Hex(refresh), expiresAt: now + Int64(refreshLifetime * 1000)
        )
        return (try await refreshTokens.rotate(tokenHash: SecretHashing.sha256Hex(token), successor: successor, now: now), refresh)
    }

    /// The answer for `user`, with an access token of `generation` (read when the refresh token was checked,
    /// not later, so a password change committed since makes this access token fail too).
    func response(for user: UserRecord, generation: Int64, refreshToken: String) async throws -> SessionResponse {
        SessionResponse(
            user: .init(id: user.id, email: user.email, plan: user.plan),
            accessToken: try await accessTokens.issue(userID: user.id, generation: generation),
            refreshToken: refreshToken,
            expiresIn: Int(accessTokens.lifetime)
        )
    }
}
