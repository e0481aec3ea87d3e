import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Asks GitHub, with a user's own OAuth token, whether that user can reach an App installation:
/// `GET {GITHUB_API_URL}/user/installations` lists the installations of this App the user may access
/// (https://docs.github.com/en/rest/apps/installations#list-app-installations-accessible-to-the-user-access-token).
/// The installation id a browser brings back from GitHub proves nothing by itself: anyone can type one.
///
/// Contract: `.accessible` only when GitHub listed the id; `.notAccessible` when GitHub answered and the id
/// was not among the installations; `.tokenRefused` when GitHub refused the user's token (401/403);
/// `.unavailable` for anything else. Safe to call any number of times.
struct GitHubUserInstallations: Sendable {
    enum Answer: Sendable, Equatable {
        case accessible
        case notAccessible
        case tokenRefused
        case unavailable(String)
    }

    let apiBaseURL: String
    let httpClient: HTTPClient
    /// 100 per page (GitHub's maximum) × 10 pages: more than any one user reaches in practice.
    static let pageSize = 100, maxPages = 10

    func check(installationID: Int64, userToken: String, logger: Logger) async -> Answer {
        var base = apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        for page in 1...Self.maxPages {
            var request = HTTPClientRequest(url: "\(base)/user/installations?per_page=\(Self.pageSize)&page=\(page)")
            request.headers.add(name: "Authorization", value: "Bearer \(userToken)")
            request.headers.add(name: "Accept", value: "application/vnd.github+json")
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            request.headers.add(name: "User-Agent", value: "FlowForge")
            let listed: [Int64]
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(15))
                let body = try await response.body.collect(upTo: 4 << 20)
                switch response.status.code {
                case 200..<300: break
                case 401, 403: return .tokenRefused
                default: return .unavailable("HTTP \(response.status.code)")
                }
                guard let answer = try? JSONDecoder().decode(Listing.self, from: Data(buffer: body)) else {
                    return .unavailable("an answer without an installations list")
                }
                listed = answer.installations.map(\.id)
            } catch {
                return .unavailable("\(error)")
            }
            if listed.contains(installationID) { return .accessible }
            if listed.count < Self.pageSize { return .notAccessible }
        }
        logger.notice("user reaches more installations than FlowForge pages through", metadata: ["installation_id": "\(installationID)"])
        return .notAccessible
    }

    private struct Listing: Decodable {
        struct Installation: Decodable { var id: Int64 }
        var installations: [Installation]
    }
}
