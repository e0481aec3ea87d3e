extension GitHubForge {
    /// GitHub's commit status states; it has no "running" or "canceled".
    static func statusState(_ state: CommitStatusState) -> String {
        switch state {
        case .pending, .running: return "pending"
        case .success: return "success"
        case .failure: return "failure"
        // A canceled pipeline neither passed nor failed on its merits; "error" says so without
        // blaming the code.
        case .error, .canceled: return "error"
        // GitHub's statuses have no neutral state and "success" would turn the commit green: a skipped
        // pipeline is never posted to GitHub (`isShown(on:)`); "error" only if someone forces it.
        case .skipped: return "error"
        }
    }

    struct StatusBody: Encodable {
        var state: String
        var targetUrl: String
        var description: String
        var context: String
    }

    /// `POST {api}/repos/{owner}/{repo}/statuses/{sha}`
    /// (https://docs.github.com/en/rest/commits/statuses#create-a-commit-status).
    /// `apiBaseURL` is `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server.
    /// The description is cut to GitHub's 140 characters.
    public func statusRequest(for status: CommitStatus, apiBaseURL: String = "https://api.github.com") throws -> ForgeHTTPRequest {
        let (owner, repo) = try StatusRequestBuilding.ownerAndName(status.repositoryFullName, provider: name)
        let url = "\(StatusRequestBuilding.base(apiBaseURL))/repos/\(owner)/\(repo)/statuses/\(StatusRequestBuilding.pathSegment(status.sha))"
        let body = StatusBody(
            state: Self.statusState(status.state),
            targetUrl: status.targetURL,
            description: status.description.truncated(toUTF8Bytes: 140),
            context: status.context
        )
        return StatusRequestBuilding.post(url, json: body, headers: [
            "accept": "application/vnd.github+json",
            "x-github-api-version": "2022-11-28",
        ])
    }
}
