import AsyncHTTPClient
import Foundation
import NIOCore

extension GitHubUserInstallations {
    /// Pages through one of GitHub's user-token list endpoints until `matches` finds what is asked for.
    ///
    /// Contract: `.accessible` as soon as a page holds a match; `.notAccessible` after a short page without
    /// one (the last page), and for a 404 when `notFoundIsAnAnswer`; `.tokenRefused` for 401/403;
    /// `.unavailable` for any other status, a body over `maxBytes` or one `Page` does not decode; nil when
    /// `maxPages` full pages held no match, so the caller says what it gave up on.
    func findInPages<Page: Decodable>(
        _ path: String, userToken: String, as page: Page.Type, maxBytes: Int, notFoundIsAnAnswer: Bool,
        matches: (Page) -> (found: Bool, count: Int)
    ) async -> Answer? {
        var base = apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        for number in 1...Self.maxPages {
            var request = HTTPClientRequest(url: "\(base)\(path)?per_page=\(Self.pageSize)&page=\(number)")
            request.headers.add(name: "Authorization", value: "Bearer \(userToken)")
            request.headers.add(name: "Accept", value: "application/vnd.github+json")
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            request.headers.add(name: "User-Agent", value: "FlowForge")
            let result: (found: Bool, count: Int)
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(15))
                let body = try await response.body.collect(upTo: maxBytes)
                switch response.status.code {
                case 200..<300: break
                case 401, 403: return .tokenRefused
                case 404 where notFoundIsAnAnswer: return .notAccessible
                default: return .unavailable("HTTP \(response.status.code)")
                }
                guard let decoded = try? JSONDecoder().decode(Page.self, from: Data(buffer: body)) else {
                    return .unavailable("an answer GitHub's list format does not describe")
                }
                result = matches(decoded)
            } catch {
                return .unavailable("\(error)")
            }
            if result.found { return .accessible }
            if result.count < Self.pageSize { return .notAccessible }
        }
        return nil
    }
}
