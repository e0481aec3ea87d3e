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
            return try await answer(.ping, provider: provider, deliveryID: deliveryID, repository: repository, logger: logger)
        case .ignored(let reason):
            logger.info("webhook ignored", metadata: ["reason": "\(reason)"])
            return try await answer(.ignored(reason), provider: provider, deliveryID: deliveryID, repository: repository, logger: logger)
        case .installation(let event):
            // Idempotent, so it may run before the answer is stored.
            try await installations.apply(
                id: event.id, account: event.account, action: event.action,
                added: event.repositoriesAdded, removed: event.repositoriesRemoved, at: Clock.nowMillis()
            )
            logger.info("github app installation recorded", metadata: ["installation_id": "\(event.id)", "action": "\(event.action)"])
            return try await answer(.installation(id: event.id, action: event.action), provider: provider, deliveryID: deliveryID, repository: repository, logger: logger)
        case .trigger(let trigger):
            guard let repository else {
                return try await answer(.ignored("the delivery names no connected repository"), provider: provider, deliveryID: deliveryID, repository: nil, logger: logger)
            }
            let pipeline = Self.pipeline(for: trigger, repository: repository, hosts: hosts)
            let reply = WebhookReply.queued(pipelineID: pipeline.id)
            // The answer commits with the pipeline: a crash can lose neither one alone.
            do {
                if let earlier = try await launcher.launch(
                    pipeline, delivery: deliveryID.map { Self.delivery(reply, provider, $0, repository) },
                    planID: repository.ownerPlan, logger: logger
                ) {
                    return Self.replay(earlier, logger: logger)
                }
            } catch let refusal as PlanLimitRefusal {
                // Answered 2xx all the same: a retry by the forge would only be refused again. The commit's
                // `error` status tells the pusher why nothing ran.
                let refused = WebhookReply.refused(pipelineID: pipeline.id, code: "plan_limit_reached", message: refusal.message)
                if let earlier = try await launcher.refuse(
                    pipeline, refusal, delivery: deliveryID.map { Self.delivery(refused, provider, $0, repository) }, logger: logger
                ) {
                    return Self.replay(earlier, logger: logger)
                }
                return refused.response()
            }
            await WebhookStageProfile.measure(.autoCancel) {
                await autoCancelOlder(than: pipeline, trigger: trigger, repository: repository, logger: logger)
            }
            await rememberDefaultBranch(trigger, repository: repository, logger: logger)
            return reply.response()
        }
    }

    /// Stores `reply` for the delivery (when it has an id) and returns it, or the answer stored first.
    private func answer(
        _ reply: WebhookReply, provider: String, deliveryID: String?, repository: ConnectedRepository?, logger: Logger
    ) async throws -> Response {
        if let deliveryID, let earlier = try await deliveries.record(Self.delivery(reply, provider, deliveryID, repository)) {
            return Self.replay(earlier, logger: logger)
        }
        return reply.response()
    }

    /// The answer stored for a delivery id seen before, sent again.
    private static func replay(_ earlier: WebhookDeliveryRecord, logger: Logger) -> Response {
        logger.info("webhook redelivered; answering as before", metadata: ["status": "\(earlier.statusCode)"])
        return WebhookReply(status: earlier.statusCode, body: earlier.response).response(replayed: true)
    }

    private static func delivery(_ reply: WebhookReply, _ provider: String, _ deliveryID: String, _ repository: ConnectedRepository?) -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            provider: provider, deliveryID: deliveryID, repositoryID: repository?.id,
            statusCode: reply.status, response: reply.body, createdAt: Clock.nowMillis()
        )
    }

    /// The pipeline a trigger asks for, owned by the repository's account. flowforge.yml is read at the
    /// commit by the worker, and its `when` filters see `event` and `branch`.
    static func pipeline(for trigger: Trigger, repository: ConnectedRepository, hosts: ForgeHosts) -> PipelineRecord {
        var pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: repository.userID, repositoryID: repository.id,
            repoURL: cloneURL(for: trigger, repository: repository, hosts: hosts), branch: trigger.branch,
            commitSHA: trigger.commitSHA, event: trigger.event, commands: nil, environment: [:],
            createdAt: Clock.nowMillis(), fork: trigger.fork, fetchRef: trigger.fork ? trigger.headRef : nil
        )
        pipeline.commitMessage = trigger.commitMessage
        pipeline.commitAuthor = trigger.author
        pipeline.pullRequestNumber = trigger.pullRequestNumber
        pipeline.targetBranch = trigger.targetBranch
        pipeline.repositoryName = repository.fullName
        pipeline.changedFiles = trigger.changedFiles
        return pipeline
    }

    /// Where the pipeline clones from. A forge repository: its forge's own host, built from its name, never
    /// a URL from the delivery or the row; a fork's pull request fetches its head from the base repository's
    /// pull request ref (GitHub, GitLab), or, where the forge has none (Bitbucket), from the fork itself on
    /// the same forge host. A generic git repository: the URL its owner connected.
    static func cloneURL(for trigger: Trigger, repository: ConnectedRepository, hosts: ForgeHosts) -> String {
        if trigger.fork, trigger.headRef == nil, let head = trigger.headRepositoryFullName,
           let url = hosts.cloneURL(provider: repository.provider, fullName: RepositoryName.key(head, provider: repository.provider)) {
            return url
        }
        return hosts.cloneURL(for: repository)
    }
}
