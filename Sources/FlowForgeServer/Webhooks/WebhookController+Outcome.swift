import FlowForgeForges
import FlowForgeStore
import Foundation
import Hummingbird
import Logging

extension WebhookController {
    /// Does what a verified delivery asks and answers it. The answer is stored under the delivery id in the
    /// transaction that queues the pipeline: of two copies of one delivery arriving together, only the one
    /// whose answer was stored first queues it, and the other repeats that answer.
    func act(
        on outcome: WebhookOutcome, repository: ConnectedRepository?, provider: String, deliveryID: String?, logger: Logger
    ) async throws -> Response {
        switch outcome {
        case .ping:
            return try await answer(.ping, provider: provider, deliveryID: deliveryID, repository: repository)
        case .ignored(let reason):
            logger.info("webhook ignored", metadata: ["reason": "\(reason)"])
            return try await answer(.ignored(reason), provider: provider, deliveryID: deliveryID, repository: repository)
        case .installation(let event):
            // Idempotent, so it may run before the answer is stored.
            try await installations.apply(
                id: event.id, account: event.account, action: event.action,
                added: event.repositoriesAdded, removed: event.repositoriesRemoved, at: Clock.nowMillis()
            )
            logger.info("github app installation recorded", metadata: ["installation_id": "\(event.id)", "action": "\(event.action)"])
            return try await answer(.installation(id: event.id, action: event.action), provider: provider, deliveryID: deliveryID, repository: repository)
        case .trigger(let trigger):
            guard let repository else {
                return try await answer(.ignored("the delivery names no connected repository"), provider: provider, deliveryID: deliveryID, repository: nil)
            }
            let pipeline = Self.pipeline(for: trigger, repository: repository)
            let reply = WebhookReply.queued(pipelineID: pipeline.id)
            // The answer commits with the pipeline: a crash can lose neither one alone.
            if let earlier = try await launcher.launch(
                pipeline, delivery: deliveryID.map { Self.delivery(reply, provider, $0, repository) }, logger: logger
            ) {
                return WebhookReply(status: earlier.statusCode, body: earlier.response).response(replayed: true)
            }
            return reply.response()
        }
    }

    /// Stores `reply` for the delivery (when it has an id) and returns it, or the answer stored first.
    private func answer(_ reply: WebhookReply, provider: String, deliveryID: String?, repository: ConnectedRepository?) async throws -> Response {
        if let deliveryID, let earlier = try await deliveries.record(Self.delivery(reply, provider, deliveryID, repository)) {
            return WebhookReply(status: earlier.statusCode, body: earlier.response).response(replayed: true)
        }
        return reply.response()
    }

    private static func delivery(_ reply: WebhookReply, _ provider: String, _ deliveryID: String, _ repository: ConnectedRepository?) -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            provider: provider, deliveryID: deliveryID, repositoryID: repository?.id,
            statusCode: reply.status, response: reply.body, createdAt: Clock.nowMillis()
        )
    }

    /// The pipeline a trigger asks for, owned by the repository's account. flowforge.yml is read at the
    /// commit by the worker, and its `when` filters see `event` and `branch`.
    static func pipeline(for trigger: Trigger, repository: ConnectedRepository) -> PipelineRecord {
        PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: repository.userID, repositoryID: repository.id,
            repoURL: cloneURL(for: trigger, repository: repository), branch: trigger.branch,
            commitSHA: trigger.commitSHA, event: trigger.event, commands: nil, environment: [:],
            createdAt: Clock.nowMillis()
        )
    }

    /// The connected clone URL (checked when the repository was connected, and the one its access token
    /// is for), except for a pull request whose head lives in another repository on the same host (a
    /// fork): only the fork holds the head commit. A URL on any other host is never used, so a delivery
    /// cannot point FlowForge at a server the repository's owner did not connect.
    static func cloneURL(for trigger: Trigger, repository: ConnectedRepository) -> String {
        guard trigger.event == "pull_request", repository.provider != "git",
              trigger.cloneURL.lowercased() != repository.cloneURL.lowercased(),
              let head = URLComponents(string: trigger.cloneURL), let own = URLComponents(string: repository.cloneURL),
              let headHost = head.host?.lowercased(), headHost == own.host?.lowercased(),
              head.scheme?.lowercased() == own.scheme?.lowercased(), head.port == own.port,
              head.user == nil, head.password == nil
        else { return repository.cloneURL }
        return trigger.cloneURL
    }
}
