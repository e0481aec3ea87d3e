import Foundation
import JWTKit

/// The OAuth `state`: signed with `JWT_SECRET`, valid 10 minutes, naming the forge and (for "connect") the
/// account to link. Its `nonce` must equal the `ff_oauth_nonce` cookie set in the same browser when the flow
/// started, which is what stops a forged callback (CSRF) from signing a victim into an attacker's account.
struct OAuthStateClaims: JWTPayload {
    var nonce: String
    var provider: String
    var linkUserID: String?
    /// Set when the flow began on the web sign-in page: the callback then starts the browser session itself
    /// rather than handing tokens to a page (a page that accepts a token would sign in whoever's token it is given).
    var web: Bool?
    var exp: ExpirationClaim
    var typ: String

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == "oauth_state" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an OAuth state") }
    }

    static let cookieName = "ff_oauth_nonce"
    static let lifetime: TimeInterval = 600

    /// The `Set-Cookie` value carrying `nonce` to the callback (Path=/: the flow may start under /api).
    static func cookie(nonce: String, secure: Bool) -> String {
        "\(cookieName)=\(nonce); Max-Age=\(Int(lifetime)); Path=/; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that removes the nonce once the flow is over.
    static let clearedCookie = "\(cookieName)=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
}

extension AccessTokens {
    func issueOAuthState(provider: String, linkUserID: String?, web: Bool = false) async throws -> (state: String, nonce: String) {
        let nonce = SecretHashing.randomToken()
        let claims = OAuthStateClaims(
            nonce: nonce, provider: provider, linkUserID: linkUserID, web: web ? true : nil,
            exp: .init(value: Date().addingTimeInterval(OAuthStateClaims.lifetime)), typ: "oauth_state"
        )
        return (try await keys.sign(claims), nonce)
    }

    /// The claims of a valid state for `provider` whose nonce matches the browser's cookie; nil otherwise.
    func verifyOAuthState(_ state: String, provider: String, cookieNonce: String?) async -> OAuthStateClaims? {
        guard let cookieNonce, let claims = try? await keys.verify(state, as: OAuthStateClaims.self),
              claims.provider == provider, SecretHashing.constantTimeEquals(claims.nonce, cookieNonce)
        else { return nil }
        return claims
    }
}
