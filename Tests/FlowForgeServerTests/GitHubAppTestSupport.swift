import CryptoExtras
import Foundation
import JWTKit
@testable import FlowForgeServer

/// A fresh RSA key pair for a test GitHub App, and the check the fake forge makes of its JWTs.
struct TestGitHubAppKey: Sendable {
    let privateKeyPEM: String
    let publicKey: JWTKit.Insecure.RSA.PublicKey

    init() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        privateKeyPEM = key.pemRepresentation
        publicKey = try JWTKit.Insecure.RSA.PublicKey(pem: key.publicKey.pemRepresentation)
    }

    /// The claims of `token` when its RS256 signature checks out against this key and it has not expired.
    func verifiedClaims(_ token: String) async -> GitHubAppClaims? {
        let keys = JWTKeyCollection()
        await keys.add(rsa: publicKey, digestAlgorithm: .sha256)
        return try? await keys.verify(token, as: GitHubAppClaims.self)
    }

    /// What GitHub checks: a valid signature, and this App as the issuer.
    func verifier(appID: String) -> @Sendable (String) async -> Bool {
        { token in await verifiedClaims(token)?.iss.value == appID }
    }
}
