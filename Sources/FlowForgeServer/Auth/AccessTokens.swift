import Foundation
import JWTKit

/// The claims of an access token: the account (`sub`), expiry, a `typ` so no other JWT we might sign
/// later (e.g. OAuth state) is accepted as an access token, and `gen`, the account's token generation when
/// the token was issued. A password change raises the generation, which ends every token issued before it
/// without depending on clock granularity (`iat` has whole seconds; a change and a new sign-in can share one).
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var typ: String
    /// Absent in tokens issued before generations existed; those count as generation 0.
    var gen: Int64?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard typ == "access" else { throw JWTError.claimVerificationFailure(failedClaim: nil, reason: "not an access token") }
    }
}

/// Signs and checks HS256 access tokens with `JWT_SECRET`.
struct AccessTokens: Sendable {
    let keys: JWTKeyCollection
    let lifetime: TimeInterval

    init(secret: [UInt8], lifetime: TimeInterval) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: .init(data: secret)), digestAlgorithm: .sha256)
        self.lifetime = lifetime
    }

    func issue(userID: String, generation: Int64, now: Date = Date()) async throws -> String {
        let claims = AccessTokenClaims(
            sub: .init(value: userID), exp: .init(value: now.addingTimeInterval(lifetime)), iat: .init(value: now),
            typ: "access", gen: generation
        )
        return try await keys.sign(claims)
    }

    /// The claims of a correctly signed, unexpired access token; nil for anything else. Whether the token's
    /// generation is still the account's is for the caller to check (it needs the account).
    func verifiedClaims(_ token: String) async -> AccessTokenClaims? {
        try? await keys.verify(token, as: AccessTokenClaims.self)
    }
}
