extension AppConfiguration {
    /// Web roots of the forges for OAuth (authorize and token pages); GitLab's is `GITLAB_URL`.
    mutating func readOAuthSettings(_ env: EnvironmentReader) throws {
        gitHubWebURL = try env.url("GITHUB_URL", default: "https://github.com")
        bitbucketWebURL = try env.url("BITBUCKET_URL", default: "https://bitbucket.org")
    }
}
