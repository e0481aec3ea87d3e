import FlowForgeCore
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
        if scheme == "file" && !allowLocal {
            throw APIError.validation("repo_url", "file:// URLs are refused here; \(Self.allowLocalHint)")
        }
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
        guard let rawHost = components.host, !rawHost.isEmpty else {
            throw APIError.validation("repo_url", "has no host")
        }
        let host = Self.bareHost(rawHost)
        if !allowLocal {
            let addresses = try await Self.resolve(host)
            guard !addresses.isEmpty else {
                throw APIError.validation("repo_url", "host \(host) does not resolve")
            }
            if let blocked = addresses.first(where: { !IPAddressClass.isPublic($0) }) {
                throw APIError.validation("repo_url", "host \(host) resolves to \(blocked), a loopback, private, link-local or other special-purpose address, which FlowForge does not clone from; \(Self.allowLocalHint)")
            }
        }
        return text
    }

    /// How to allow what was refused, and for whom: allowing it on a shared instance would let any tenant's
    /// pipeline reach the server's own network.
    static let allowLocalHint = "a self-hosted FlowForge on a trusted machine or network can allow it with FLOWFORGE_ALLOW_LOCAL_REPOS=true (for self-hosted machines only, never a shared instance)"

    /// An IPv6 literal without its URL brackets (`[::1]` → `::1`), so that it parses as an address rather
    /// than reaching the resolver as a name; other hosts unchanged.
    static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
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
                    // Decoded up to the terminating NUL, without the deprecated array form of init(cString:).
                    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
                    addresses.append(String(decoding: bytes, as: UTF8.self))
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}
