extension GitLabForge {
    /// A merge request's last commit, cloned from the source project (a fork, possibly).
    /// `update` also fires for edits of the title, labels or assignees; only one carrying `oldrev`
    /// brought new commits, so the others are ignored rather than rebuilding the same commit.
    func parseMergeRequest(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(MergeRequestPayload.self, from: request.body, provider: name)
        let attributes = try WebhookJSON.require(payload.objectAttributes, "object_attributes", provider: name)
        let action = try WebhookJSON.require(attributes.action, "object_attributes.action", provider: name)
        switch action {
        case "open", "reopen":
            break
        case "update" where attributes.oldrev != nil:
            break
        case "update":
            return .ignored(reason: "merge request updated without new commits")
        default:
            return .ignored(reason: "merge request action \(action) is not handled")
        }
        let project = payload.project ?? attributes.target
        let lastCommit = try WebhookJSON.require(attributes.lastCommit, "object_attributes.last_commit", provider: name)
        let iid = try WebhookJSON.require(attributes.iid, "object_attributes.iid", provider: name)
        var trigger = Trigger(
            provider: name,
            repositoryFullName: try WebhookJSON.require(project?.pathWithNamespace, "project.path_with_namespace", provider: name),
            cloneURL: try WebhookJSON.require(attributes.source?.cloneURL ?? project?.cloneURL, "object_attributes.source.git_http_url", provider: name),
            event: "pull_request",
            branch: try WebhookJSON.require(attributes.sourceBranch, "object_attributes.source_branch", provider: name),
            commitSHA: try WebhookJSON.require(lastCommit.id, "object_attributes.last_commit.id", provider: name),
            commitMessage: lastCommit.message,
            author: lastCommit.author?.name ?? payload.user?.name,
            pullRequestNumber: iid,
            targetBranch: attributes.targetBranch,
            deliveryID: deliveryID(request)
        )
        if let source = attributes.sourceProjectId, let target = attributes.targetProjectId ?? project?.id, source != target {
            trigger.fork = true
            trigger.headRef = "refs/merge-requests/\(iid)/head"
            trigger.headRepositoryFullName = attributes.source?.pathWithNamespace
        }
        return SkipCI.outcome(for: trigger)
    }
}
