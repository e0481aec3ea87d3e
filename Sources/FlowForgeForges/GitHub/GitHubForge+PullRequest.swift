extension GitHubForge {
    /// Actions that put new code in front of the pull request; the others (closed, labeled, edited, …)
    /// change nothing to build.
    static let buildingPullRequestActions: Set<String> = ["opened", "synchronize", "reopened"]

    /// A pull request's head commit, cloned from the head repository (a fork, possibly).
    func parsePullRequest(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(PullRequestPayload.self, from: request.body, provider: name)
        let action = try WebhookJSON.require(payload.action, "action", provider: name)
        guard Self.buildingPullRequestActions.contains(action) else {
            return .ignored(reason: "pull request action \(action) is not handled")
        }
        let pullRequest = try WebhookJSON.require(payload.pullRequest, "pull_request", provider: name)
        let head = try WebhookJSON.require(pullRequest.head, "pull_request.head", provider: name)
        let repository = try WebhookJSON.require(payload.repository, "repository", provider: name)
        // `head.repo` is null when the fork was deleted; the base repository still has the head commit
        // under refs/pull/<n>/head, so cloning it is the best remaining choice.
        let cloneURL = head.repo?.cloneUrl ?? repository.cloneUrl
        let baseName = try WebhookJSON.require(repository.fullName, "repository.fullName", provider: name)
        let number = try WebhookJSON.require(payload.number ?? pullRequest.number, "number", provider: name)
        var trigger = Trigger(
            provider: name,
            repositoryFullName: try WebhookJSON.require(repository.fullName, "repository.fullName", provider: name),
            cloneURL: try WebhookJSON.require(cloneURL, "pull_request.head.repo.cloneUrl", provider: name),
            event: "pull_request",
            branch: try WebhookJSON.require(head.ref, "pull_request.head.ref", provider: name),
            commitSHA: try WebhookJSON.require(head.sha, "pull_request.head.sha", provider: name),
            commitMessage: pullRequest.title,
            author: pullRequest.user?.login,
            pullRequestNumber: number,
            targetBranch: pullRequest.base?.ref,
            installationID: payload.installation?.id,
            deliveryID: deliveryID(request)
        )
        // A deleted fork (null head.repo) is still someone else's code.
        let headName = head.repo?.fullName
        trigger.fork = headName.map { $0.lowercased() != baseName.lowercased() } ?? true
        if trigger.fork {
            trigger.headRef = "refs/pull/\(number)/head"
            trigger.headRepositoryFullName = headName
        }
        return SkipCI.outcome(for: trigger)
    }
}
