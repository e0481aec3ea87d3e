extension GitHubForge {
    /// A push to a branch or tag; deletions are ignored because there is no commit left to build.
    func parsePush(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(PushPayload.self, from: request.body, provider: name)
        let refName = try WebhookJSON.require(payload.ref, "ref", provider: name)
        guard let ref = GitRef(refName) else {
            return .ignored(reason: "ref \(refName) is neither a branch nor a tag")
        }
        if payload.deleted == true || GitRef.isZeroSHA(payload.after) {
            return .ignored(reason: ref.deletedReason)
        }
        let repository = try WebhookJSON.require(payload.repository, "repository", provider: name)
        let head = payload.headCommit
        var trigger = Trigger(
            provider: name,
            repositoryFullName: try WebhookJSON.require(repository.fullName, "repository.fullName", provider: name),
            cloneURL: try WebhookJSON.require(repository.cloneUrl, "repository.cloneUrl", provider: name),
            event: ref.event,
            branch: ref.name,
            commitSHA: try WebhookJSON.require(payload.after ?? head?.id, "after", provider: name),
            commitMessage: head?.message,
            author: head?.author?.name ?? head?.author?.username ?? payload.pusher?.name,
            installationID: payload.installation?.id,
            deliveryID: deliveryID(request)
        )
        trigger.defaultBranch = repository.defaultBranch
        // GitHub lists at most 20 commits in a push; with 20 the list may be cut short, and a new branch at an
        // existing commit lists none: in both cases the changed files are left unknown.
        if let commits = payload.commits, !commits.isEmpty, commits.count < 20, ref.event == "push" {
            trigger.changedFiles = ChangedFiles.union(commits.map { ($0.added ?? []) + ($0.modified ?? []) + ($0.removed ?? []) })
        }
        return SkipCI.outcome(for: trigger)
    }
}
