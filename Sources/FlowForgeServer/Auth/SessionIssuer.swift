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
}

/// Issues an access token and a refresh token for an account. Refresh tokens are `ffr_` + 32 random bytes,
/// stored only as SHA-256, and belong to a family (one sign-in) so reuse of a rotated one can revoke it all.
struct SessionIssuer: Sendable {
    let accessTokens: AccessTokens
    let refreshTokens: any RefreshTokenRepository
    let refreshLifetime: TimeInterval

    func issue(for user: UserRecord, familyID: String = UUID().uuidString.lowercased()) async throws -> SessionResponse {
        let refresh = "ffr_" + SecretHashing.randomToken()
        let now = Clock.nowMillis()
        try await refreshTokens.create(
            id: UUID().uuidString.lowercased(), userID: user.id, familyID: familyID,
            tokenHash: SecretHashing.sha256Hex(refresh), createdAt: now, expiresAt: now + Int64(refreshLifetime * 1000)
        )
        return SessionResponse(
            user: .init(id: user.id, email: user.email, plan: user.plan),
            accessToken: try await accessTokens.issue(userID: user.id, generation: user.tokenGeneration),
            refreshToken: refresh,
            expiresIn: Int(accessTokens.lifetime)
        )
    }
}
