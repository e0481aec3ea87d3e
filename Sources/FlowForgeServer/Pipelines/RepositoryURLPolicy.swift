import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Decides which `repo_url`s a pipeline may clone. A hosted service must not clone from its own network
/// (SSRF): hosts that resolve to loopback, private, link-local or otherwise special addresses are refused
/// unless `FLOWFORGE_ALLOW_LOCAL_REPOS` is set (tests, self-hosters on a LAN), which also allows `file://`.
struct RepositoryURLPolicy: Sendable {
    let allowLocal: Bool

    /// Returns the URL to store, or throws a 422 that says what to change.
    func check(_ raw: String) async throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw APIError.validation("repo_url", "is not a URL; use https://host/owner/repo.git")
        }
        let schemes = allowLocal ? ["https", "http", "git", "file"] : ["https", "http", "git"]
        guard schemes.contains(scheme) else {
            throw APIError.validation("repo_url", "scheme \(scheme) is not supported; use \(schemes.map { $0 + "://" }.joined(separator: ", "))")
        }
        guard components.user == nil && components.password == nil else {
            throw APIError.validation("repo_url", "must not contain credentials; connect the repository with an access token instead")
        }
        if scheme == "file" {
            guard !components.path.isEmpty else { throw APIError.validation("repo_url", "file:// URLs need a path") }
            return text
        }
        guard let host = components.host, !host.isEmpty else {
            throw APIError.validation("repo_url", "has no host")
        }
        if !allowLocal {
            let addresses = try await Self.resolve(host)
            guard !addresses.isEmpty else {
                throw APIError.validation("repo_url", "host \(host) does not resolve")
            }
            if let blocked = addresses.first(where: { !IPAddressClass.isPublic($0) }) {
                throw APIError.validation("repo_url", "host \(host) resolves to \(blocked), a loopback, private or link-local address, which FlowForge does not clone from")
            }
        }
        return text
    }

    /// All addresses `host` resolves to, as text. getaddrinfo blocks, so it runs on the thread pool.
    static func resolve(_ host: String) async throws -> [String] {
        try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                    addresses.append(String(cString: buffer))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}

/// Classifies textual IPv4/IPv6 addresses; pure, so the policy's edge cases are unit-tested.
enum IPAddressClass {
    static func isPublic(_ address: String) -> Bool {
        if let v4 = ipv4(address) { return isPublicV4(v4) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address.split(separator: "%").first.map(String.init) ?? address, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes.allSatisfy({ $0 == 0 }) { return false }                        // ::
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return false } // ::1
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return isPublicV4(Array(bytes[12..<16]))                             // ::ffff:a.b.c.d
        }
        if bytes[0] & 0xfe == 0xfc { return false }                              // fc00::/7 unique local
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return false }          // fe80::/10 link-local
        if bytes[0] == 0xff { return false }                                     // multicast
        return true
    }

    static func ipv4(_ address: String) -> [UInt8]? {
        let parts = address.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }

    static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (169, 254): return false
        case (172, 16...31): return false
        case (192, 168): return false
        case (100, 64...127): return false   // carrier-grade NAT
        case (192, 0) where b[2] == 0: return false
        case (198, 18...19): return false    // benchmarking
        default: return b[0] < 224           // multicast and reserved above
        }
    }
}
