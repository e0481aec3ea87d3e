#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which IP addresses a hosted service may connect to on a user's behalf (git remotes, image registries).
///
/// Refused is every range of the IANA IPv4 and IPv6 special-purpose address registries, whatever its
/// "globally reachable" column says: none of them is where a public git server or registry lives, and
/// several (NAT64, 6to4, Teredo, IPv4-mapped and -compatible forms) are other spellings of addresses on
/// this host's own network. Pure: parses text, touches no network.
public enum IPAddressClass {
    /// Whether `address` (IPv4 dotted quad, or IPv6 with or without brackets and zone) is an ordinary
    /// public unicast address. Anything that does not parse is not public.
    public static func isPublic(_ address: String) -> Bool {
        if let v4 = ipv4(address) { return isPublicV4(v4) }
        if let v6 = ipv6(address) { return isPublicV6(v6) }
        return false
    }

    /// The four bytes of a strict dotted-quad IPv4 address.
    public static func ipv4(_ address: String) -> [UInt8]? {
        var value = in_addr()
        guard inet_pton(AF_INET, address, &value) == 1 else { return nil }
        return withUnsafeBytes(of: &value) { Array($0) }
    }

    /// The sixteen bytes of an IPv6 address; accepts `[…]` brackets and drops a `%zone`.
    public static func ipv6(_ address: String) -> [UInt8]? {
        var text = Substring(address)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let zone = text.firstIndex(of: "%") { text = text[..<zone] }
        var value = in6_addr()
        guard inet_pton(AF_INET6, String(text), &value) == 1 else { return nil }
        return withUnsafeBytes(of: &value) { Array($0) }
    }

    /// IPv4 special-purpose ranges (RFC 6890 and the IANA registry), as (network, prefix length).
    static let refusedV4: [([UInt8], Int)] = [
        ([0, 0, 0, 0], 8),          // "this network"
        ([10, 0, 0, 0], 8),         // private
        ([100, 64, 0, 0], 10),      // shared address space (carrier-grade NAT)
        ([127, 0, 0, 0], 8),        // loopback
        ([169, 254, 0, 0], 16),     // link-local, cloud metadata services
        ([172, 16, 0, 0], 12),      // private
        ([192, 0, 0, 0], 24),       // IETF protocol assignments
        ([192, 0, 2, 0], 24),       // TEST-NET-1
        ([192, 31, 196, 0], 24),    // AS112
        ([192, 52, 193, 0], 24),    // AMT
        ([192, 88, 99, 0], 24),     // deprecated 6to4 relay anycast
        ([192, 168, 0, 0], 16),     // private
        ([192, 175, 48, 0], 24),    // direct delegation AS112
        ([198, 18, 0, 0], 15),      // benchmarking
        ([198, 51, 100, 0], 24),    // TEST-NET-2
        ([203, 0, 113, 0], 24),     // TEST-NET-3
        ([224, 0, 0, 0], 4),        // multicast
        ([240, 0, 0, 0], 4),        // reserved, and 255.255.255.255 broadcast
    ]

    /// IPv6 special-purpose ranges. The IPv4-compatible form is refused outright, and so are NAT64 and 6to4
    /// (they embed an IPv4 address that a gateway of this network would reach); an IPv4-mapped address is
    /// judged by the IPv4 address it maps.
    static let refusedV6: [([UInt8], Int)] = [
        ([], 96),                                   // ::/96: unspecified, loopback, IPv4-compatible ::a.b.c.d
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96), // IPv4-mapped ::ffff:a.b.c.d (judged by its IPv4)
        ([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0], 96), // IPv4-translated ::ffff:0:a.b.c.d
        ([0, 0x64, 0xff, 0x9b], 96),                // NAT64 well-known prefix
        ([0, 0x64, 0xff, 0x9b, 0, 1], 48),          // NAT64 local-use
        ([0x01, 0x00], 64),                         // discard-only
        ([0x20, 0x01, 0x00, 0x00], 23),             // IETF protocol assignments (Teredo, ORCHID, AMT, ...)
        ([0x20, 0x01, 0x0d, 0xb8], 32),             // documentation
        ([0x20, 0x02], 16),                         // 6to4
        ([0x3f, 0xff], 20),                         // documentation
        ([0x5f, 0x00], 16),                         // segment routing SIDs
        ([0xfc], 7),                                // unique local
        ([0xfe, 0x80], 10),                         // link-local
        ([0xfe, 0xc0], 10),                         // deprecated site-local
        ([0xff], 8),                                // multicast
    ]

    public static func isPublicV4(_ bytes: [UInt8]) -> Bool {
        bytes.count == 4 && !refusedV4.contains { matches(bytes, $0.0, $0.1) }
    }

    public static func isPublicV6(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 16 else { return false }
        // ::ffff:a.b.c.d is the IPv4 address itself, as a dual-stack socket sees it.
        if matches(bytes, refusedV6[1].0, 96) { return isPublicV4(Array(bytes[12..<16])) }
        // Only global unicast (2000::/3) is assigned for public use today.
        return bytes[0] & 0xe0 == 0x20 && !refusedV6.contains { matches(bytes, $0.0, $0.1) }
    }

    /// Whether the first `length` bits of `bytes` equal those of `network` (missing bytes are zero).
    static func matches(_ bytes: [UInt8], _ network: [UInt8], _ length: Int) -> Bool {
        for bit in 0..<length {
            let index = bit / 8
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            let expected = index < network.count ? network[index] : 0
            if bytes[index] & mask != expected & mask { return false }
        }
        return true
    }
}
