/// GitLab webhooks (gitlab.com or self-managed).
///
/// Verification: `X-Gitlab-Token` must equal the secret (GitLab sends the token itself, not a
/// signature). Event: `X-Gitlab-Event`. Delivery id: `Idempotency-Key` (GitLab 17.4+, the same on
/// retries), else `X-Gitlab-Event-UUID`. Handled: `Push Hook`, `Tag Push Hook`, `Merge Request Hook`
/// (open, reopen, and update with new commits).
public struct GitLabForge: Forge {
    public var name: String { "gitlab" }

    public init() {}

    public func deliveryID(_ request: WebhookRequest) -> String? {
        request.header("idempotency-key") ?? request.header("x-gitlab-event-uuid")
    }

    public func verify(_ request: WebhookRequest, secret: String) -> Bool {
        WebhookSignature.tokenMatches(request.header("x-gitlab-token"), secret: secret)
    }

    /// The project the hook belongs to (for merge requests, the target project).
    public func repositoryFullName(_ request: WebhookRequest) throws -> String? {
        try WebhookJSON.decode(ProjectEnvelope.self, from: request.body, provider: name).project?.pathWithNamespace
    }

    public func parse(_ request: WebhookRequest) throws -> WebhookOutcome {
        guard let event = request.header("x-gitlab-event") else {
            throw WebhookError.missingHeader(provider: name, header: "X-Gitlab-Event")
        }
        switch event {
        case "Push Hook", "Tag Push Hook":
            return try parsePush(request)
        case "Merge Request Hook":
            return try parseMergeRequest(request)
        default:
            return .ignored(reason: "event \(event) is not handled")
        }
    }
}
