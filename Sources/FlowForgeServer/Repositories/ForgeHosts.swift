import FlowForgeStore

/// Where each forge's repositories live (`GITHUB_URL`, `GITLAB_URL`, `BITBUCKET_URL`) and where its API
/// answers (`GITHUB_API_URL`, `GITLAB_API_URL`/api/v4, `BITBUCKET_API_URL`/2.0).
///
/// A repository of a forge is cloned only from that forge's own host, built here from its name: no
/// connect request, webhook body or stored row can point a forge repository (and the credentials that
/// come with it) at another server. Only generic `git` repositories clone from a URL their owner gives.
struct ForgeHosts: Sendable, Equatable {
    var gitHubWebURL: String
    var gitLabURL: String
    var bitbucketWebURL: String
    var gitHubAPIURL: String
    var gitLabAPIURL: String
    var bitbucketAPIURL: String

    static let forgeProviders: Set<String> = ["github", "gitlab", "bitbucket"]

    /// `<forge host>/<full name>.git` for a forge provider; nil for `git`, which has no host of its own.
    func cloneURL(provider: String, fullName: String) -> String? {
        switch provider {
        case "github": "\(gitHubWebURL)/\(fullName).git"
        case "gitlab": "\(gitLabURL)/\(fullName).git"
        case "bitbucket": "\(bitbucketWebURL)/\(fullName).git"
        default: nil
        }
    }

    /// The URL a pipeline of `repository` clones: the forge's own for forge providers (whatever an older row
    /// stored), the connected one for generic git servers.
    func cloneURL(for repository: ConnectedRepository) -> String {
        cloneURL(provider: repository.provider, fullName: repository.fullName) ?? repository.cloneURL
    }

}

extension ForgeHosts {
    init(configuration: AppConfiguration) {
        self.init(
            gitHubWebURL: Self.trimmed(configuration.gitHubWebURL), gitLabURL: Self.trimmed(configuration.gitLabURL),
            bitbucketWebURL: Self.trimmed(configuration.bitbucketWebURL), gitHubAPIURL: Self.trimmed(configuration.gitHubAPIURL),
            gitLabAPIURL: Self.trimmed(configuration.gitLabAPIURL), bitbucketAPIURL: Self.trimmed(configuration.bitbucketAPIURL)
        )
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
