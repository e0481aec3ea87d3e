import AsyncHTTPClient
import FlowForgeForges
import FlowForgeStore
import Foundation
import NIOCore
import NIOHTTP1

/// What became of one attempt to post a status.
enum StatusSendOutcome: Sendable, Equatable {
    case delivered
    /// Worth trying again: a network error, 5xx, 408, 429 or a rate limit. `notBefore` (epoch ms) is
    /// when the forge asked us to come back, if it said.
    case retry(notBefore: Int64?, reason: String)
    /// Trying again cannot help (bad credentials, unknown repository or commit, malformed request).
    case rejected(reason: String)
}

/// Posts one outbox row to its forge with the repository's credentials: for GitHub an App installation
/// token when an installation reaches the repository, else the repository's own access token.
struct StatusSender: Sendable {
    let gitHubAPIURL: String
    let gitLabURL: String
    let bitbucketAPIURL: String
    let secretBox: SecretBox
    let installationTokens: GitHubInstallationTokens?
    let httpClient: HTTPClient
    var timeout: TimeAmount = .seconds(30)

    func send(_ row: OutboxStatus, to target: StatusRepositoryTarget) async -> StatusSendOutcome {
        let request: ForgeHTTPRequest
        do {
            request = try forgeRequest(row)
        } catch {
            return .rejected(reason: "\(error)")
        }
        let authorization: Authorization
        switch await self.authorization(for: target) {
        case .success(let value): authorization = value
        case .failure(let outcome): return outcome
        }

        var http = HTTPClientRequest(url: request.url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.headers.replaceOrAdd(name: "Authorization", value: authorization.header)
        http.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await httpClient.execute(http, timeout: timeout)
            let body = try await response.body.collect(upTo: 64 * 1024)
            return await classify(response.status.code, headers: response.headers, body: body, authorization: authorization)
        } catch {
            return .retry(notBefore: nil, reason: "could not reach \(target.provider): \(error)")
        }
    }

    private func forgeRequest(_ row: OutboxStatus) throws -> ForgeHTTPRequest {
        let status = CommitStatus(
            state: CommitStatusState(rawValue: row.status.state) ?? .error, context: row.status.context,
            description: row.status.description, targetURL: row.status.targetURL, sha: row.status.sha,
            repositoryFullName: row.status.repositoryFullName
        )
        switch row.status.provider {
        case "github": return try GitHubForge().statusRequest(for: status, apiBaseURL: gitHubAPIURL)
        case "gitlab": return try GitLabForge().statusRequest(for: status, apiBaseURL: gitLabURL)
        case "bitbucket": return try BitbucketForge().statusRequest(for: status, apiBaseURL: bitbucketAPIURL)
        default: throw UnsupportedProvider(provider: row.status.provider)
        }
    }

    private func classify(_ code: UInt, headers: HTTPHeaders, body: ByteBuffer, authorization: Authorization) async -> StatusSendOutcome {
        if (200..<300).contains(code) { return .delivered }
        let detail = "HTTP \(code): \(String(buffer: body).prefix(300))"
        let hint = StatusRetryPolicy.serverHint(headers, nowMillis: Clock.nowMillis())
        switch code {
        case 408, 429, 500...599:
            return .retry(notBefore: hint, reason: detail)
        case 403 where hint != nil:
            // GitHub answers rate limits with 403 plus its rate-limit headers or Retry-After.
            return .retry(notBefore: hint, reason: detail)
        case 401 where authorization.installationID != nil:
            // The cached installation token may have been revoked; the next attempt fetches a new one.
            await installationTokens?.invalidate(installationID: authorization.installationID!)
            return .retry(notBefore: nil, reason: detail)
        default:
            return .rejected(reason: detail)
        }
    }

    struct UnsupportedProvider: Error, CustomStringConvertible {
        var provider: String
        var description: String { "FlowForge posts commit statuses only to github, gitlab and bitbucket, not \(provider)" }
    }
}
