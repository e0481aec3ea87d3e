import AsyncHTTPClient
import FlowForgeStore
import Foundation
import Logging
import NIOCore

extension GitHubUserInstallations {
    /// Asks GitHub, with the user's own OAuth token, whether the user reaches `fullName` through the
    /// installation: `GET {GITHUB_API_URL}/user/installations/{id}/repositories` lists the repositories of
    /// the installation the user has explicit permission on (read, write or admin)
    /// (https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-user-access-token).
    /// Reaching the installation is not enough: GitHub lists it for a collaborator of any one repository in
    /// it, and an installation token reads every repository it covers.
    ///
    /// Contract: `.accessible` only when GitHub listed the name (compared as `RepositoryName.key` does);
    /// `.notAccessible` when GitHub answered without it (also for a 404: the user cannot reach the
    /// installation at all); `.tokenRefused` for 401/403; `.unavailable` for anything else.
    func check(repository fullName: String, installationID: Int64, userToken: String, logger: Logger) async -> Answer {
        var base = apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        let wanted = RepositoryName.key(fullName, provider: "github")
        for page in 1...Self.maxPages {
            var request = HTTPClientRequest(url: "\(base)/user/installations/\(installationID)/repositories?per_page=\(Self.pageSize)&page=\(page)")
            request.headers.add(name: "Authorization", value: "Bearer \(userToken)")
            request.headers.add(name: "Accept", value: "application/vnd.github+json")
            request.headers.add(name: "X-GitHub-Api-Version", value: "2022-11-28")
            request.headers.add(name: "User-Agent", value: "FlowForge")
            let listed: [String]
            do {
                let response = try await httpClient.execute(request, timeout: .seconds(15))
                let body = try await response.body.collect(upTo: 8 << 20)
                switch response.status.code {
                case 200..<300: break
                case 401, 403: return .tokenRefused
                case 404: return .notAccessible
                default: return .unavailable("HTTP \(response.status.code)")
                }
                guard let answer = try? JSONDecoder().decode(RepositoryListing.self, from: Data(buffer: body)) else {
                    return .unavailable("an answer without a repositories list")
                }
                listed = answer.repositories.map(\.fullName)
            } catch {
                return .unavailable("\(error)")
            }
            if listed.contains(where: { RepositoryName.key($0, provider: "github") == wanted }) { return .accessible }
            if listed.count < Self.pageSize { return .notAccessible }
        }
        logger.notice("installation lists more repositories for the user than FlowForge pages through", metadata: ["installation_id": "\(installationID)"])
        return .notAccessible
    }

    private struct RepositoryListing: Decodable {
        struct Repository: Decodable {
            var fullName: String
            enum CodingKeys: String, CodingKey { case fullName = "full_name" }
        }
        var repositories: [Repository]
    }
}
