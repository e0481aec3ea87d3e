import Crypto
import Foundation

/// Random tokens and the one-way forms in which they are stored.
enum SecretHashing {
    /// `count` random bytes as unpadded base64url (URL- and header-safe).
    static func randomToken(bytes count: Int = 32) -> String {
        let key = SymmetricKey(size: SymmetricKeySize(bitCount: count * 8))
        return key.withUnsafeBytes { Data($0) }.base64URLEncoded()
    }

    /// HMAC-SHA256 of `value` under `key`, hex; API keys are stored this way (keyed by API_KEY_SALT).
    static func hmacHex(_ value: String, key: [UInt8]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: SymmetricKey(data: key))
        return Data(mac).hexString
    }

    /// SHA-256 of `value`, hex; refresh tokens are stored this way.
    static func sha256Hex(_ value: String) -> String {
        Data(SHA256.hash(data: Data(value.utf8))).hexString
    }

    /// Compares without an early exit, so timing does not reveal how much of a secret matched.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

extension Data {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }

    func base64URLEncoded() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
