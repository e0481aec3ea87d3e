extension GitLabForge {
    /// A push to a branch or tag (`Push Hook` and `Tag Push Hook` share one shape).
    func parsePush(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(PushPayload.self, from: request.body, provider: name)
        let refName = try WebhookJSON.require(payload.ref, "ref", provider: name)
        guard let ref = GitRef(refName) else {
            return .ignored(reason: "ref \(refName) is neither a branch nor a tag")
        }
        if GitRef.isZeroSHA(payload.after) {
            return .ignored(reason: ref.deletedReason)
        }
        let project = try WebhookJSON.require(payload.project, "project", provider: name)
        let sha = try WebhookJSON.require(payload.checkoutSha ?? payload.after, "checkout_sha", provider: name)
        // `commits` lists the pushed commits oldest first (at most 20); the head is the one checked out.
        let head = payload.commits?.first { $0.id == sha } ?? payload.commits?.last
        var trigger = Trigger(
            provider: name,
            repositoryFullName: try WebhookJSON.require(project.pathWithNamespace, "project.path_with_namespace", provider: name),
            cloneURL: try WebhookJSON.require(project.cloneURL, "project.git_http_url", provider: name),
            event: ref.event,
            branch: ref.name,
            commitSHA: sha,
            commitMessage: head?.message,
            author: head?.author?.name ?? payload.userName,
            deliveryID: deliveryID(request)
        )
        trigger.defaultBranch = project.defaultBranch
        // `commits` holds at most 20: the changed files are known only when it holds every pushed commit.
        if let commits = payload.commits, !commits.isEmpty, ref.event == "push",
           let total = payload.totalCommitsCount, total == commits.count {
            trigger.changedFiles = ChangedFiles.union(commits.map { ($0.added ?? []) + ($0.modified ?? []) + ($0.removed ?? []) })
        }
        return SkipCI.outcome(for: trigger)
    }
}
