import SQLKit

/// How FlowForge matches repository names: the one place that says which names ignore case.
///
/// GitHub, GitLab and Bitbucket treat `Octocat/Hello-World` and `octocat/hello-world` as one repository, so
/// their names are stored lower-cased and every lookup by name compares lower-cased; generic git servers
/// may tell case apart, so their names are kept and matched as given.
public enum RepositoryName {
    /// The form a name is stored and compared in for `provider`.
    public static func key(_ fullName: String, provider: String) -> String {
        provider == "git" ? fullName : fullName.lowercased()
    }

    /// The unsuspended GitHub App installation that reaches `fullName` and is linked to `userID`, as SQL
    /// selecting one `id` column (no row when there is none). Clone credentials and status senders both use
    /// it, so they can never disagree on which installation serves a repository.
    static func linkedInstallationQuery(fullName: String, userID: String) -> SQLQueryString {
        """
        SELECT i.id AS id FROM github_installation_repositories r
        JOIN github_installations i ON i.id = r.installation_id
        WHERE r.full_name = \(bind: key(fullName, provider: "github")) AND i.suspended_at IS NULL
          AND i.user_id = \(bind: userID)
        ORDER BY i.id LIMIT 1
        """
    }
}
