import FlowForgeStore
import Hummingbird
import NIOCore

/// Who a request counts against for rate limiting: `user:<id>` for a valid access token, `key:<id>` for an
/// active API key, else `address:<client address>`. A credential only names the bucket once it verified, so
/// made-up `Authorization` headers all land in their sender's address bucket.
struct RateLimitIdentities: Sendable {
    let accessTokens: AccessTokens
    let apiKeys: any APIKeyRepository
    let apiKeySalt: [UInt8]

    /// The bucket of `request`. A verified API key is left in `context` so `APIKeyMiddleware` does not look
    /// it up a second time.
    func client(of request: Request, context: inout AppRequestContext) async throws -> String {
        if let token = request.bearerToken {
            if token.hasPrefix("ff_") {
                let hash = SecretHashing.hmacHex(token, key: apiKeySalt)
                if let key = try await apiKeys.findActive(keyHash: hash) {
                    context.verifiedAPIKey = key
                    return "key:" + key.id
                }
            } else if let claims = await accessTokens.verifiedClaims(token) {
                // Signature and expiry only: a token ended by a password change still names its own
                // account's bucket here, and AccessTokenMiddleware refuses it right after.
                return "user:" + claims.sub.value
            }
        }
        return "address:" + Self.addressKey(context.remoteAddress)
    }

    /// The address part of a bucket. IPv6 clients are counted per /64, the block one subscriber usually
    /// holds, so cycling through addresses of one's own prefix does not buy fresh windows.
    static func addressKey(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress else { return "unknown" }
        guard case .v6(let v6) = address else { return ip }
        if ip.hasPrefix("::ffff:"), ip.contains(".") { return String(ip.dropFirst("::ffff:".count)) }
        var raw = v6.address
        withUnsafeMutableBytes(of: &raw.sin6_addr) { bytes in
            for index in 8..<16 { bytes[index] = 0 }
        }
        let packed = SocketAddress(raw, host: "")
        return (packed.ipAddress ?? ip) + "/64"
    }
}
