import FlowForgeStore
import Hummingbird
import NIOCore

/// Whom a request counts against, and the plan of that account when it is one.
struct RateLimitClient: Sendable, Equatable {
    let bucket: String
    /// The verified account's plan; nil for an address, or an account that no longer exists.
    let plan: String?
}

/// Who a request counts against for rate limiting: `user:<id>` for a valid access token, `key:<id>` for an
/// active API key, else `address:<client address>`. A credential only names the bucket once it verified, so
/// made-up `Authorization` headers all land in their sender's address bucket. The account is read for its
/// plan (which scales the limit) on every request, so an upgrade or downgrade applies at once.
struct RateLimitIdentities: Sendable {
    let accessTokens: AccessTokens
    let apiKeys: any APIKeyRepository
    let apiKeySalt: [UInt8]
    /// Where plans are read; without it every account counts as free (unit tests of the buckets alone).
    var users: (any UserRepository)? = nil

    /// The bucket of `request`. A verified API key is left in `context` so `APIKeyMiddleware` does not look
    /// it up a second time.
    func client(of request: Request, context: inout AppRequestContext) async throws -> RateLimitClient {
        if let token = request.bearerToken {
            if token.hasPrefix("ff_") {
                let hash = SecretHashing.hmacHex(token, key: apiKeySalt)
                if let key = try await apiKeys.findActive(keyHash: hash) {
                    context.verifiedAPIKey = key
                    return RateLimitClient(bucket: "key:" + key.id, plan: try await plan(of: key.userID))
                }
            } else if let claims = await accessTokens.verifiedClaims(token) {
                // Signature and expiry only: a token ended by a password change still names its own
                // account's bucket here, and AccessTokenMiddleware refuses it right after.
                let account = try await users?.find(id: claims.sub.value)
                context.accountReadForRateLimit = account
                return RateLimitClient(bucket: "user:" + claims.sub.value, plan: users == nil ? "free" : account?.plan)
            }
        }
        return RateLimitClient(bucket: "address:" + Self.addressKey(context.remoteAddress), plan: nil)
    }

    private func plan(of userID: String) async throws -> String? {
        guard let users else { return "free" }
        return try await users.find(id: userID)?.plan
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
