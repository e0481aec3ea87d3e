import Foundation
import JWTKit

/// The claims GitHub expects in a GitHub App's JWT
/// (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app).
struct GitHubAppClaims: JWTPayload, Equatable {
    var iat: IssuedAtClaim
    var exp: ExpirationClaim
    /// The App ID.
    var iss: IssuerClaim

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

/// Signs the App's short-lived JWTs (RS256 with the App's private key), which buy installation tokens.
struct GitHubAppJWT: Sendable {
    let appID: String
    private let keys: JWTKeyCollection

    /// `iat` sits this far in the past, as GitHub advises, to absorb clock drift between us and GitHub.
    static let backdate: TimeInterval = 60
    /// GitHub refuses an `exp` more than 10 minutes after it receives the token; 9 leaves room for drift.
    static let lifetime: TimeInterval = 9 * 60

    init(appID: String, privateKeyPEM: String) async throws {
        self.appID = appID
        keys = JWTKeyCollection()
        await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: privateKeyPEM), digestAlgorithm: .sha256)
    }

    /// A fresh JWT; cheap enough to sign per token request (at most one a few times an hour per installation).
    func make(now: Date = Date()) async throws -> String {
        let claims = GitHubAppClaims(
            iat: .init(value: now.addingTimeInterval(-Self.backdate)),
            exp: .init(value: now.addingTimeInterval(Self.lifetime)),
            iss: .init(value: appID)
        )
        return try await keys.sign(claims)
    }
}
