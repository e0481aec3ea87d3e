extension BitbucketForge {
    /// A pull request's source commit, cloned from the source repository (a fork, possibly).
    /// Bitbucket sends only an abbreviated hash here; the commit is resolved when it is fetched.
    func parsePullRequest(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(PullRequestPayload.self, from: request.body, provider: name)
        let pullRequest = try WebhookJSON.require(payload.pullrequest, "pullrequest", provider: name)
        let source = try WebhookJSON.require(pullRequest.source, "pullrequest.source", provider: name)
        let fullName = try WebhookJSON.require(
            payload.repository?.fullName ?? pullRequest.destination?.repository?.fullName,
            "repository.full_name", provider: name
        )
        var trigger = Trigger(
            provider: name,
            repositoryFullName: fullName,
            cloneURL: cloneURL(fullName: source.repository?.fullName ?? fullName),
            event: "pull_request",
            branch: try WebhookJSON.require(source.branch?.name, "pullrequest.source.branch.name", provider: name),
            commitSHA: try WebhookJSON.require(source.commit?.hash, "pullrequest.source.commit.hash", provider: name),
            commitMessage: pullRequest.title,
            author: pullRequest.author?.displayName ?? pullRequest.author?.nickname,
            pullRequestNumber: try WebhookJSON.require(pullRequest.id, "pullrequest.id", provider: name),
            targetBranch: pullRequest.destination?.branch?.name,
            deliveryID: deliveryID(request)
        )
        // Bitbucket has no pull request ref in the base repository: a fork's commit is fetched from the
        // fork itself (on Bitbucket's own host, see the server's clone URL rule).
        if let sourceName = source.repository?.fullName, sourceName.lowercased() != fullName.lowercased() {
            trigger.fork = true
            trigger.headRepositoryFullName = sourceName
        }
        return SkipCI.outcome(for: trigger)
    }
}
