import FlowForgeStore
import Foundation
import Hummingbird
import NIOCore
import Logging

/// Per-request state: what the auth middleware learned, and the body limit from `MAX_FILE_SIZE`.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AccessTokenMiddleware` (account routes) or `APIKeyMiddleware` (v1 routes).
    public var userID: String?
    public var apiKeyID: String?
    /// An API key the rate limiter already verified, so `APIKeyMiddleware` need not look it up again.
    var verifiedAPIKey: APIKeyRecord?
    /// The account of a verified access token as the rate limiter read it (for its plan), so
    /// `AccessTokenMiddleware` need not read it a second time.
    var accountReadForRateLimit: UserRecord?
    public var maxUploadSize: Int = 2 * 1024 * 1024
    /// What `WebSessionMiddleware` learned for a page: the signed-in account, the CSRF token, the form.
    var web = WebRequestState()
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    public var responseEncoder: JSONEncoder { .api }
    public var requestDecoder: JSONDecoder { .api }

    /// The authenticated account, or a 401 when the route was reached without one.
    public func requireUser() throws -> String {
        guard let userID else { throw APIError.unauthorized }
        return userID
    }
}

extension JSONEncoder {
    /// snake_case keys and ISO 8601 dates, the API's JSON conventions.
    ///
    /// Dates carry milliseconds (as stored): a step that takes 300 ms would otherwise show a start and end in
    /// the same second, or a second apart, and durations computed by clients would be meaningless.
    static var api: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

extension JSONDecoder {
    static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
