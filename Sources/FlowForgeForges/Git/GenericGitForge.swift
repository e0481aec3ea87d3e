/// Any git server that can run a hook script (a bare repository's `post-receive`, Gitea/Forgejo,
/// cgit, …) and POST a small JSON body signed the GitHub way.
///
/// Headers: `X-FlowForge-Event: push`; `X-FlowForge-Signature: sha256=<hex HMAC-SHA256(secret, body)>`;
/// optionally `X-FlowForge-Delivery: <unique id>` so a retried POST is deduplicated.
///
/// Body (unknown fields are ignored):
/// ```json
/// {
///   "repository": "team/app",            // required: the name FlowForge knows the repository by
///   "ref": "refs/heads/main",             // required: refs/heads/<branch> or refs/tags/<tag>
///   "before": "<40 hex>",                 // accepted, not used
///   "after": "<40 hex>",                  // required: the new value (all zeros when deleted)
///   "clone_url": "https://git.example.com/team/app.git",  // optional, see below
///   "message": "Fix the build",           // optional: head commit message, for [skip ci]
///   "author": "Ada"                       // optional
/// }
/// ```
/// `clone_url` defaults to `<cloneBaseURL>/<repository>`. In a `post-receive` hook, each stdin line
/// `<before> <after> <ref>` is one such body; `git log -1 --format=%B <after>` gives the message.
public struct GenericGitForge: Forge {
    public var name: String { "git" }
    /// Base of the server's clone URLs, without a trailing slash; nil when bodies carry `clone_url`.
    public var cloneBaseURL: String?

    public init(cloneBaseURL: String? = nil) {
        self.cloneBaseURL = cloneBaseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    struct PushPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case repository
            case ref
            case after
            case cloneUrl = "clone_url"
            case message
            case author
        }
        var repository: String?
        var ref: String?
        var after: String?
        var cloneUrl: String?
        var message: String?
        var author: String?
    }

    public func deliveryID(_ request: WebhookRequest) -> String? {
        request.header("x-flowforge-delivery")
    }

    public func verify(_ request: WebhookRequest, secret: String) -> Bool {
        WebhookSignature.verifySHA256(header: request.header("x-flowforge-signature"), body: request.body, secret: secret)
    }

    public func repositoryFullName(_ request: WebhookRequest) throws -> String? {
        try WebhookJSON.decode(PushPayload.self, from: request.body, provider: name).repository
    }

    public func parse(_ request: WebhookRequest) throws -> WebhookOutcome {
        guard let event = request.header("x-flowforge-event") else {
            throw WebhookError.missingHeader(provider: name, header: "X-FlowForge-Event")
        }
        guard event == "push" else {
            return .ignored(reason: "event \(event) is not handled")
        }
        let payload = try WebhookJSON.decode(PushPayload.self, from: request.body, provider: name)
        let refName = try WebhookJSON.require(payload.ref, "ref", provider: name)
        guard let ref = GitRef(refName) else {
            return .ignored(reason: "ref \(refName) is neither a branch nor a tag")
        }
        let after = try WebhookJSON.require(payload.after, "after", provider: name)
        if GitRef.isZeroSHA(after) {
            return .ignored(reason: ref.deletedReason)
        }
        let repository = try WebhookJSON.require(payload.repository, "repository", provider: name)
        guard let cloneURL = payload.cloneUrl ?? cloneBaseURL.map({ "\($0)/\(repository)" }) else {
            throw WebhookError.invalidField(
                provider: name, field: "clone_url",
                detail: "it is absent and no clone base URL is configured for this git server; add clone_url to the hook's body"
            )
        }
        return SkipCI.outcome(for: Trigger(
            provider: name,
            repositoryFullName: repository,
            cloneURL: cloneURL,
            event: ref.event,
            branch: ref.name,
            commitSHA: after,
            commitMessage: payload.message,
            author: payload.author,
            deliveryID: deliveryID(request)
        ))
    }
}
