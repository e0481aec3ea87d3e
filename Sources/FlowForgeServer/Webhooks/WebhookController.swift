import FlowForgeForges
import FlowForgeStore
import Foundation
import Hummingbird
import Logging

/// `POST /api/webhooks/{github,gitlab,bitbucket,git}`: forge deliveries become pipelines.
///
/// In order: find the connections of the repository the delivery names and verify the signature against
/// each one's secret, or the GitHub App's (an App delivery is for the account the installation is linked
/// to); an unknown repository and a wrong or missing signature get the same 401 with the same body, so
/// nobody can probe which names are connected; parse (malformed → 400); act on the outcome and store the
/// answer, or, for a delivery id answered before, send the stored answer again.
/// Only database writes happen here, so forges get their answer in milliseconds; workers do the rest.
struct WebhookController {
    let repositories: any ConnectedRepositoryRepository
    let deliveries: any WebhookDeliveryRepository
    let installations: any GitHubInstallationRepository
    let secretBox: SecretBox
    let launcher: PipelineLauncher
    /// `GITHUB_APP_WEBHOOK_SECRET`: also accepted for GitHub deliveries, and the only secret for
    /// installation events, which name no repository.
    let gitHubAppSecret: String?
    /// Forge repositories clone from their forge's own host, whatever the delivery says.
    let hosts: ForgeHosts
    /// Where a push's default branch is remembered, for the badge of a request that names no branch.
    let badges: any RepositoryBadgeRepository
    let forges: [String: any Forge] = [
        "github": GitHubForge(), "gitlab": GitLabForge(), "bitbucket": BitbucketForge(), "git": GenericGitForge(),
    ]

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).post(":provider", use: receive)
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let profile = WebhookStageProfile.shared else { return try await receiveDelivery(request, context: context) }
        return try await WebhookStageProfile.$current.withValue(profile) {
            try await WebhookStageProfile.measure(.total) { try await receiveDelivery(request, context: context) }
        }
    }

    private func receiveDelivery(_ request: Request, context: AppRequestContext) async throws -> Response {
        let provider = try context.parameters.require("provider")
        guard let forge = forges[provider] else {
            throw APIError(.notFound, code: "not_found", message: "no webhook endpoint for \(provider); use /api/webhooks/github, gitlab, bitbucket or git")
        }
        let body = try await WebhookStageProfile.measure(.body) { try await request.body.collect(upTo: context.maxUploadSize) }
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.canonicalName] = field.value
        }
        let delivery = WebhookRequest(headers: headers, body: Array(body.readableBytesView))
        var logger = context.logger
        logger[metadataKey: "provider"] = "\(provider)"
        if let id = forge.deliveryID(delivery) { logger[metadataKey: "delivery_id"] = "\(id)" }
        return try await handle(delivery, forge: forge, logger: logger)
    }

    func handle(_ delivery: WebhookRequest, forge: any Forge, logger: Logger) async throws -> Response {
        let repository = try await authenticate(delivery, forge: forge, logger: logger)
        var logger = logger
        if let repository { logger[metadataKey: "repository_id"] = "\(repository.id)" }
        // A known delivery id is not looked up first: the transaction that stores the answer inserts the id
        // only if it is new, and otherwise returns the stored answer, which is then sent again (`replayed`).
        // Nothing is stored twice either way, and a new delivery, by far the common case, saves a query.
        let deliveryID = forge.deliveryID(delivery)
        let outcome: WebhookOutcome
        do {
            outcome = try await WebhookStageProfile.measure(.parse) { try forge.parse(delivery) }
        } catch let error as WebhookError {
            logger.notice("webhook rejected as malformed", metadata: ["error": "\(error)"])
            throw APIError(.badRequest, code: "invalid_webhook", message: error.description)
        }
        return try await act(on: outcome, repository: repository, provider: forge.name, deliveryID: deliveryID, logger: logger)
    }

    /// The repository the delivery is for, once its signature checks out; nil only for a GitHub App
    /// event that names no repository, verified with the App's secret.
    private func authenticate(_ delivery: WebhookRequest, forge: any Forge, logger: Logger) async throws -> ConnectedRepository? {
        let named: String?
        do {
            named = try forge.repositoryFullName(delivery)
        } catch let error as WebhookError {
            throw APIError(.badRequest, code: "invalid_webhook", message: error.description)
        }
        let appSecret = forge.name == "github" ? gitHubAppSecret : nil
        guard let named else {
            guard let appSecret else {
                throw APIError(.badRequest, code: "invalid_webhook", message: forge.name == "github"
                    ? "the delivery names no repository; events of a GitHub App need GITHUB_APP_WEBHOOK_SECRET set on the FlowForge server"
                    : "the \(forge.name) webhook body names no repository; send the repository's push and pull request events")
            }
            guard forge.verify(delivery, secret: appSecret) else { throw Self.badSignature(forge.name, app: true, logger: logger) }
            return nil
        }
        let connections = try await WebhookStageProfile.measure(.lookup) {
            try await repositories.connections(provider: forge.name, fullName: named)
        }
        if let verified = await WebhookStageProfile.measure(.signature, { verifiedConnection(delivery, forge: forge, among: connections, logger: logger) }) {
            return verified
        }
        if let appSecret, forge.verify(delivery, secret: appSecret) {
            // Signed by GitHub for the App: it is for the account the installation is linked to, and for no
            // other account that merely connected the same name. Nil (answered "ignored") when that
            // account has not connected it.
            guard let linked = try await installations.linkedUser(forRepository: named),
                  let connection = connections.first(where: { $0.userID == linked })
            else {
                logger.info("app delivery for a repository no linked account connected", metadata: ["full_name": "\(named)"])
                return nil
            }
            return connection
        }
        if connections.isEmpty {
            logger.info("webhook for a repository that is not connected", metadata: ["full_name": "\(named)"])
            // Spend about what a real check costs, so timing tells an unknown name from a bad signature
            // no better than the answer does.
            _ = forge.verify(delivery, secret: SecretHashing.randomToken())
        }
        throw Self.badSignature(forge.name, app: false, logger: logger)
    }

    /// The first of `connections` whose webhook secret signed the delivery.
    private func verifiedConnection(
        _ delivery: WebhookRequest, forge: any Forge, among connections: [ConnectedRepository], logger: Logger
    ) -> ConnectedRepository? {
        for connection in connections {
            let secret: String
            do {
                secret = try connection.webhookSecret(secretBox)
            } catch {
                // Said only in the log: another account's broken row must not change this delivery's answer.
                logger.error("cannot open a repository's webhook secret", metadata: ["repository_id": "\(connection.id)", "error": "\(error)"])
                continue
            }
            if forge.verify(delivery, secret: secret) { return connection }
        }
        return nil
    }

    private static func badSignature(_ provider: String, app: Bool, logger: Logger) -> APIError {
        logger.notice("webhook signature rejected")
        let header = ["gitlab": "X-Gitlab-Token", "bitbucket": "X-Hub-Signature", "git": "X-FlowForge-Signature"][provider] ?? "X-Hub-Signature-256"
        let secret = app ? "GITHUB_APP_WEBHOOK_SECRET" : "the webhook_secret FlowForge returned when the repository was connected"
        // The same words whether or not the repository is connected: the answer must not tell them apart.
        return APIError(.unauthorized, code: "invalid_signature", message: "the \(header) header is missing or does not match a repository connected to FlowForge; connect the repository with POST /api/user/repositories and set the webhook's secret to \(secret)")
    }
}
