/// Bitbucket Cloud webhooks.
///
/// Signature: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>` (sent when the webhook has a
/// secret). Event: `X-Event-Key`. Delivery id: `X-Request-UUID`. Handled: `repo:push` (branches and
/// tags), `pullrequest:created`, `pullrequest:updated`.
/// Payloads carry no clone URL, so it is built from `webURL` and the repository's full name.
public struct BitbucketForge: Forge {
    public var name: String { "bitbucket" }
    /// Where repositories are cloned from, without a trailing slash.
    public var webURL: String

    public init(webURL: String = "https://bitbucket.org") {
        self.webURL = webURL.hasSuffix("/") ? String(webURL.dropLast()) : webURL
    }

    public func deliveryID(_ request: WebhookRequest) -> String? {
        request.header("x-request-uuid")
    }

    public func verify(_ request: WebhookRequest, secret: String) -> Bool {
        WebhookSignature.verifySHA256(header: request.header("x-hub-signature"), body: request.body, secret: secret)
    }

    public func repositoryFullName(_ request: WebhookRequest) throws -> String? {
        try WebhookJSON.decode(RepositoryEnvelope.self, from: request.body, provider: name).repository?.fullName
    }

    public func parse(_ request: WebhookRequest) throws -> WebhookOutcome {
        guard let event = request.header("x-event-key") else {
            throw WebhookError.missingHeader(provider: name, header: "X-Event-Key")
        }
        switch event {
        case "repo:push":
            return try parsePush(request)
        case "pullrequest:created", "pullrequest:updated":
            return try parsePullRequest(request)
        default:
            return .ignored(reason: "event \(event) is not handled")
        }
    }

    func cloneURL(fullName: String) -> String {
        "\(webURL)/\(fullName).git"
    }
}
