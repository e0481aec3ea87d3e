import Crypto

/// Shared-secret checks for webhook deliveries. Every comparison is constant-time, so response timing
/// tells an attacker nothing about how much of a guessed signature or token was right.
enum WebhookSignature {
    /// Checks a `sha256=<hex>` header value against HMAC-SHA256(secret, body), the scheme GitHub,
    /// Bitbucket and FlowForge's generic git hook share. False when absent, malformed or wrong.
    static func verifySHA256(header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), !secret.isEmpty,
              let mac = Hex.decode(header.dropFirst("sha256=".count)), mac.count == SHA256.byteCount
        else { return false }
        let key = SymmetricKey(data: Array(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }

    /// The `sha256=<hex>` header value for `body`: what a sender (or a test) puts in the header.
    static func sha256Header(body: [UInt8], secret: String) -> String {
        "sha256=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// Compares a plain token (GitLab's `X-Gitlab-Token`) with the secret. Both sides are hashed first so
    /// the comparison takes the same time whatever the lengths, and the digests compare constant-time.
    static func tokenMatches(_ token: String?, secret: String) -> Bool {
        guard let token, !secret.isEmpty else { return false }
        return SHA256.hash(data: Array(token.utf8)) == SHA256.hash(data: Array(secret.utf8))
    }
}
