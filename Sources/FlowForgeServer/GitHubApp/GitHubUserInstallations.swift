import AsyncHTTPClient
import Logging

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
        let answer = await findInPages("/user/installations", userToken: userToken, as: Listing.self, maxBytes: 4 << 20,
                                       notFoundIsAnAnswer: false) { page in
            (page.installations.contains { $0.id == installationID }, page.installations.count)
        }
        if let answer { return answer }
        logger.notice("user reaches more installations than FlowForge pages through", metadata: ["installation_id": "\(installationID)"])
        return .notAccessible
    }

    private struct Listing: Decodable {
        struct Installation: Decodable { var id: Int64 }
        var installations: [Installation]
    }
}
