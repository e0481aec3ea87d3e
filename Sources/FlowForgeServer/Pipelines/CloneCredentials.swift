import FlowForgeGit
import FlowForgeStore
import Logging

/// The credentials a pipeline of a connected repository clones with: for GitHub, an installation token of
/// the GitHub App when an installation covers the repository; otherwise the repository's own access token.
/// Pipelines of the v1 API (no connected repository) clone anonymously. Credentials reach libgit2 only through
/// its callback, never a URL.
struct CloneCredentials: Sendable {
    let repositories: any ConnectedRepositoryRepository
    let installations: any GitHubInstallationRepository
    let installationTokens: GitHubInstallationTokens?
    let secretBox: SecretBox

    func credentials(for pipeline: PipelineRecord, logger: Logger) async -> GitCredentials? {
        guard let repositoryID = pipeline.repositoryID else { return nil }
        do {
            guard let repository = try await repositories.find(id: repositoryID) else { return nil }
            if repository.provider == "github", let installationTokens,
               let installation = try await installations.installationID(forRepository: repository.fullName) {
                let token = try await installationTokens.token(installationID: installation)
                return GitCredentials(username: "x-access-token", password: token)
            }
            guard let token = try repository.accessToken(secretBox) else { return nil }
            return GitCredentials(username: Self.username(provider: repository.provider), password: token)
        } catch {
            // Cloning anonymously still works for public repositories; a private one then fails with a clear
            // "authentication failed" from the git layer.
            logger.warning("could not get clone credentials; cloning without", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The user name each forge expects next to a token over HTTPS.
    static func username(provider: String) -> String {
        switch provider {
        case "gitlab": "oauth2"
        case "bitbucket": "x-token-auth"
        default: "x-access-token"
        }
    }
}
