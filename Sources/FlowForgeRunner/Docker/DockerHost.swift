/// Where the Docker Engine API listens, parsed from a `DOCKER_HOST`-style string.
struct DockerHost: Sendable, Equatable {
    /// URL prefix every API path is appended to, including the API version.
    let baseURL: String
    /// The daemon's socket for `unix://` hosts; nil for `tcp://`.
    let socketPath: String?
    /// The host as configured, for messages.
    let text: String

    /// The API version FlowForge speaks: Docker 20.10 (Debian 12) serves 1.41, and newer daemons accept it.
    static let apiVersion = "v1.41"

    /// Accepts `unix:///path/to/docker.sock` and `tcp://127.0.0.1:2375` (plain HTTP; TLS is not supported).
    init(_ host: String) throws(DockerError) {
        text = host
        socketPath = host.hasPrefix("unix://") ? String(host.dropFirst("unix://".count)) : nil
        if host.hasPrefix("unix://") {
            let path = String(host.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .badHost(host) }
            baseURL = "http+unix://\(Self.percentEncodedSocketPath(path))/\(Self.apiVersion)"
        } else if host.hasPrefix("tcp://") {
            let authority = host.dropFirst("tcp://".count).split(separator: "/").first.map(String.init) ?? ""
            guard !authority.isEmpty else { throw .badHost(host) }
            baseURL = "http://\(authority)/\(Self.apiVersion)"
        } else {
            throw .badHost(host)
        }
    }

    /// The socket path goes in the URL's host part, so every character but unreserved ones is escaped.
    private static func percentEncodedSocketPath(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return result
    }
}
