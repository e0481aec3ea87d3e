import FlowForgeStore
import Logging

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
        let wanted = RepositoryName.key(fullName, provider: "github")
        let answer = await findInPages("/user/installations/\(installationID)/repositories", userToken: userToken,
                                       as: RepositoryListing.self, maxBytes: 8 << 20, notFoundIsAnAnswer: true) { page in
            (page.repositories.contains { RepositoryName.key($0.fullName, provider: "github") == wanted }, page.repositories.count)
        }
        if let answer { return answer }
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
