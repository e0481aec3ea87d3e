import Foundation
import JWTKit

/// The claims of an access token: the account (`sub`), expiry and a `typ` so no other JWT we might sign
/// later (e.g. OAuth state) is accepted as an access token.
struct AccessTokenClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var typ: String

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

    func issue(userID: String, now: Date = Date()) async throws -> String {
        let claims = AccessTokenClaims(
            sub: .init(value: userID), exp: .init(value: now.addingTimeInterval(lifetime)), iat: .init(value: now), typ: "access"
        )
        return try await keys.sign(claims)
    }

    /// The account id of a valid, unexpired access token; nil for anything else.
    func verify(_ token: String) async -> String? {
        try? await keys.verify(token, as: AccessTokenClaims.self).sub.value
    }
}
