/// GitHub webhooks, from a repository hook or a GitHub App (`installation.id` in the payload).
///
/// Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`; event: `X-GitHub-Event`;
/// delivery id: `X-GitHub-Delivery`. Handled events: `push` (branches and tags), `pull_request`
/// (opened, synchronize, reopened), `ping`, `installation`, `installation_repositories`.
public struct GitHubForge: Forge {
    public var name: String { "github" }

    public init() {}

    public func deliveryID(_ request: WebhookRequest) -> String? {
        request.header("x-github-delivery")
    }

    public func verify(_ request: WebhookRequest, secret: String) -> Bool {
        WebhookSignature.verifySHA256(header: request.header("x-hub-signature-256"), body: request.body, secret: secret)
    }

    public func repositoryFullName(_ request: WebhookRequest) throws -> String? {
        try WebhookJSON.decode(RepositoryEnvelope.self, from: request.body, provider: name).repository?.fullName
    }

    public func parse(_ request: WebhookRequest) throws -> WebhookOutcome {
        guard let event = request.header("x-github-event") else {
            throw WebhookError.missingHeader(provider: name, header: "X-GitHub-Event")
        }
        switch event {
        case "ping":
            return .ping
        case "push":
            return try parsePush(request)
        case "pull_request":
            return try parsePullRequest(request)
        case "installation", "installation_repositories":
            return .installation(try parseInstallation(request))
        default:
            return .ignored(reason: "event \(event) is not handled")
        }
    }
}
