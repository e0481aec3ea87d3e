extension GitLabForge {
    /// GitLab's commit status states (it also has "created" and "skipped", which FlowForge never posts).
    static func statusState(_ state: CommitStatusState) -> String {
        switch state {
        case .pending: return "pending"
        case .running: return "running"
        case .success: return "success"
        case .failure, .error: return "failed"
        case .canceled: return "canceled"
        case .skipped: return "skipped"
        }
    }

    struct StatusBody: Encodable {
        var state: String
        var name: String
        var targetUrl: String?
        var description: String
    }

    /// GitLab rejects a status whose fields exceed 255 characters.
    static let fieldLimit = 255

    /// `POST {api}/api/v4/projects/{id}/statuses/{sha}`
    /// (https://docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit), where `{id}` is the
    /// numeric project id when known, else the URL-encoded path (`group%2Fproject`).
    /// `apiBaseURL` is the instance root, e.g. `https://gitlab.com`. Name and description are cut to 255
    /// bytes; a target URL that long is left out, since a cut URL would lead nowhere.
    public func statusRequest(for status: CommitStatus, apiBaseURL: String = "https://gitlab.com") throws -> ForgeHTTPRequest {
        let project: String
        if let id = status.gitLabProjectID {
            project = String(id)
        } else {
            // Subgroups nest (`group/sub/project`), so any depth of two or more is a path.
            let parts = status.repositoryFullName.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2, !parts.contains(where: \.isEmpty) else {
                throw StatusRequestError.invalidRepositoryFullName(provider: name, name: status.repositoryFullName)
            }
            project = StatusRequestBuilding.pathSegment(status.repositoryFullName)
        }
        let url = "\(StatusRequestBuilding.base(apiBaseURL))/api/v4/projects/\(project)/statuses/\(StatusRequestBuilding.pathSegment(status.sha))"
        let body = StatusBody(
            state: Self.statusState(status.state),
            name: status.context.truncated(toUTF8Bytes: Self.fieldLimit),
            targetUrl: status.targetURL.utf8.count <= Self.fieldLimit ? status.targetURL : nil,
            description: status.description.truncated(toUTF8Bytes: Self.fieldLimit)
        )
        return StatusRequestBuilding.post(url, json: body)
    }
}
