import FlowForgeGit
import FlowForgeStore
import Logging

/// The credentials a pipeline of a connected repository clones with. Pipelines of the v1 API (no connected
/// repository) clone anonymously. Credentials reach libgit2 only through its callback, never a URL, and the
/// URL is the forge's own host for forge repositories (`ForgeHosts`), so they reach no other server.
///
/// - GitHub: a token of the GitHub App installation that reaches the repository, only when that
///   installation is linked to the pipeline's own account; else the repository's access token (which the
///   forge confirmed could read it when it was connected).
/// - A pull request from a fork runs a stranger's code: it gets at most a token GitHub narrows to
///   `contents: read` on that one repository, and never the repository's own access token (its scope
///   cannot be narrowed), so a fork of a public repository clones anonymously and one of a private
///   repository without the App fails to clone.
struct CloneCredentials: Sendable {
    let repositories: any ConnectedRepositoryRepository
    let installations: any GitHubInstallationRepository
    let installationTokens: GitHubInstallationTokens?
    let secretBox: SecretBox

    func credentials(for pipeline: PipelineRecord, logger: Logger) async -> GitCredentials? {
        guard let repositoryID = pipeline.repositoryID else { return nil }
        do {
            guard let repository = try await repositories.find(id: repositoryID), repository.userID == pipeline.userID else { return nil }
            if repository.provider == "github", let installationTokens,
               let installation = try await installations.installationID(forRepository: repository.fullName, linkedTo: pipeline.userID) {
                let narrowed = pipeline.fork ? repository.fullName.split(separator: "/").last.map(String.init) : nil
                let token = try await installationTokens.token(installationID: installation, readOnlyRepository: narrowed)
                return GitCredentials(username: "x-access-token", password: token)
            }
            if pipeline.fork {
                logger.info("pull request from a fork: cloning without the repository's token")
                return nil
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
