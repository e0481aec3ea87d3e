extension BitbucketForge {
    /// A push: Bitbucket lists one change per updated ref; the first that still exists is built.
    /// (A push of several refs at once is rare; building each would need one outcome per ref.)
    func parsePush(_ request: WebhookRequest) throws -> WebhookOutcome {
        let payload = try WebhookJSON.decode(PushPayload.self, from: request.body, provider: name)
        let changes = try WebhookJSON.require(payload.push?.changes, "push.changes", provider: name)
        guard let ref = changes.lazy.compactMap(\.new).first else {
            // Every change has `new: null`: the refs were deleted.
            let old = changes.first?.old
            let kind = old?.type == "branch" ? "branch" : old == nil ? "ref" : "tag"
            return .ignored(reason: "\(kind) deleted: \(old?.name ?? "unknown")")
        }
        let event: String
        switch ref.type {
        case "branch": event = "push"
        case "tag", "annotated_tag": event = "tag"
        default: return .ignored(reason: "ref type \(ref.type ?? "unknown") is neither a branch nor a tag")
        }
        let fullName = try WebhookJSON.require(payload.repository?.fullName, "repository.full_name", provider: name)
        return SkipCI.outcome(for: Trigger(
            provider: name,
            repositoryFullName: fullName,
            cloneURL: cloneURL(fullName: fullName),
            event: event,
            branch: try WebhookJSON.require(ref.name, "push.changes.new.name", provider: name),
            commitSHA: try WebhookJSON.require(ref.target?.hash, "push.changes.new.target.hash", provider: name),
            commitMessage: ref.target?.message,
            author: ref.target?.author?.name,
            deliveryID: deliveryID(request)
        ))
    }
}
