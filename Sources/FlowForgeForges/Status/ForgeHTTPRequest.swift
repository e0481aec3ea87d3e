/// An HTTP call to a forge's API, described but not sent, so it can be built and tested without I/O
/// and kept in the status outbox until it goes through.
///
/// It carries no credentials: the sender adds `Authorization` at send time, so a stored or logged
/// request never holds a token.
public struct ForgeHTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    /// JSON, keys sorted so equal requests have equal bytes.
    public var body: [UInt8]

    public init(method: String, url: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// Why a status request could not be built.
public enum StatusRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The repository name lacks its owner part (`owner/repo` expected).
    case invalidRepositoryFullName(provider: String, name: String)

    public var description: String {
        switch self {
        case let .invalidRepositoryFullName(provider, name):
            return "The \(provider) repository name \"\(name)\" is not of the form owner/repository. Reconnect the repository so FlowForge stores its full name."
        }
    }
}
