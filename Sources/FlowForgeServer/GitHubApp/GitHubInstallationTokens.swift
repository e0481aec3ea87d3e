import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Installation access tokens of the GitHub App, fetched with the App JWT from
/// `POST {GITHUB_API_URL}/app/installations/{id}/access_tokens` and cached until five minutes before they
/// expire (they live an hour). Concurrent callers for one installation share one request.
///
/// A token may be narrowed to one repository with only `contents: read` (pull requests from forks clone
/// with such a token: their code never holds a token that can write). Narrowed tokens are cached apart
/// from the installation's full one.
actor GitHubInstallationTokens {
    struct Token: Sendable, Equatable {
        var value: String
        var expiresAt: Date
    }

    private let apiBaseURL: String
    private let jwt: GitHubAppJWT
    private let httpClient: HTTPClient
    private let logger: Logger
    private var cache: [Key: Token] = [:]
    private var inFlight: [Key: Task<Token, any Error>] = [:]

    /// An installation, and the repository (name without owner) a read-only token is narrowed to.
    struct Key: Hashable, Sendable {
        var installationID: Int64
        var readOnlyRepository: String?
    }

    /// A cached token is replaced this long before it expires, so no request carries a token about to lapse.
    static let refreshMargin: TimeInterval = 5 * 60

    init(apiBaseURL: String, jwt: GitHubAppJWT, httpClient: HTTPClient, logger: Logger) {
        var base = apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.apiBaseURL = base
        self.jwt = jwt
        self.httpClient = httpClient
        self.logger = logger
    }

    /// A token for the installation: the cached one while it has more than `refreshMargin` left, else a new one.
    /// Throws `GitHubAppError` when GitHub refuses, or the HTTP client's error when GitHub cannot be reached.
    /// With `readOnlyRepository` (a repository's name without its owner), GitHub is asked for a token that
    /// reaches only that repository with only `contents: read`.
    func token(installationID: Int64, readOnlyRepository: String? = nil, now: Date = Date()) async throws -> String {
        let key = Key(installationID: installationID, readOnlyRepository: readOnlyRepository)
        if let cached = cache[key], cached.expiresAt.timeIntervalSince(now) > Self.refreshMargin {
            return cached.value
        }
        if let running = inFlight[key] { return try await running.value.value }
        let task = Task { try await self.request(key) }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        let token = try await task.value
        cache[key] = token
        return token.value
    }

    /// Forgets the tokens GitHub no longer accepts (e.g. the installation was removed and added again).
    func invalidate(installationID: Int64) {
        cache = cache.filter { $0.key.installationID != installationID }
    }

    private func request(_ key: Key) async throws -> Token {
        let installationID = key.installationID
        var request = HTTPClientRequest(url: "\(apiBaseURL)/app/installations/\(installationID)/access_tokens")
        request.method = .POST
        if let repository = key.readOnlyRepository {
            // https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
            let body = NarrowedTokenRequest(repositories: [repository], permissions: ["contents": "read"])
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        request.headers.add(name: "Authorization", value: "Bearer \(try await jwt.make())")
        request.headers.add(name: "Accept", value: "application/vnd.github+json")
        request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
        request.headers.add(name: "User-Agent", value: "FlowForge")
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(GitHubMessage.self, from: Data(buffer: body)).message) ?? "no message"
            throw GitHubAppError.tokenRefused(installationID: installationID, status: Int(response.status.code), message: message)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let answer = try? decoder.decode(AccessTokenAnswer.self, from: Data(buffer: body)) else {
            throw GitHubAppError.unreadableTokenResponse(installationID: installationID)
        }
        logger.debug("fetched GitHub App installation token", metadata: ["installation_id": "\(installationID)"])
        return Token(value: answer.token, expiresAt: answer.expires_at)
    }

    private struct NarrowedTokenRequest: Encodable {
        var repositories: [String]
        var permissions: [String: String]
    }

    private struct AccessTokenAnswer: Decodable {
        var token: String
        var expires_at: Date
    }

    private struct GitHubMessage: Decodable {
        var message: String
    }
}
