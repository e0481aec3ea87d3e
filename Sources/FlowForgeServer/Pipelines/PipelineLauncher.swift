import FlowForgeCore
import FlowForgeStore
import Logging

/// The one way a pipeline comes into being, whether from the v1 API or a forge webhook: check the account's
/// plan and count the run, store it with its job (and, for a webhook, the delivery's answer, and its first
/// commit status) in one transaction, then wake this process's idle workers and status sender.
struct PipelineLauncher: Sendable {
    let pipelines: any PipelineRepository
    let users: any UserRepository
    let plans: PlanCatalog
    let signal: JobSignal
    let lifecycle: any PipelineLifecycleObserver

    /// Nil when the pipeline was stored; the earlier answer when `delivery` had already been answered by a
    /// concurrent copy of it (then nothing was stored). Throws `PlanLimitRefusal`, storing nothing, when the
    /// account's month is used up. `planID`: the account's plan as the caller just read it (a webhook reads
    /// it with the repository), which spares a read; nil reads it here.
    @discardableResult
    func launch(
        _ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord? = nil, planID: String? = nil, logger: Logger
    ) async throws -> WebhookDeliveryRecord? {
        let plan = try await WebhookStageProfile.measure(.plan) {
            if let planID { return plans.effectivePlan(id: planID) }
            return try await self.plan(of: pipeline.userID)
        }
        let status = await WebhookStageProfile.measure(.commitStatus) { await lifecycle.status(for: pipeline, at: .queued) }
        let quota = RunQuota(pipelineRuns: plan.pipelineRuns, computeMinutes: plan.computeMinutes)
        do {
            if let earlier = try await WebhookStageProfile.measure(.insert, {
                try await pipelines.createQueued(pipeline, delivery: delivery, queuedStatus: status, quota: quota)
            }) { return earlier }
        } catch let reached as UsageLimitReached {
            logger.notice("pipeline refused: plan limit reached", metadata: [
                "user_id": "\(pipeline.userID)", "plan": "\(plan.id)", "limit": "\(reached.limit.rawValue)", "used": "\(reached.used)",
            ])
            throw PlanLimitRefusal(reached, plan: plan, catalog: plans)
        }
        await WebhookStageProfile.measure(.wake) {
            if status != nil { await lifecycle.statusStored() }
            await signal.notify()
        }
        logger.info("pipeline queued", metadata: ["pipeline_id": "\(pipeline.id)", "event": "\(pipeline.event)"])
        return nil
    }

    /// Records a pipeline `launch` refused, for a webhook: it ends `error` at once, saying why, with its
    /// commit status and the delivery's answer in one transaction, so the commit on the forge shows the
    /// refusal. Same return as `launch`.
    func refuse(
        _ pipeline: PipelineRecord, _ refusal: PlanLimitRefusal, delivery: WebhookDeliveryRecord?, logger: Logger
    ) async throws -> WebhookDeliveryRecord? {
        var refused = pipeline
        refused.status = .error
        refused.error = refusal.message
        refused.completedAt = pipeline.createdAt
        var status = await lifecycle.status(for: refused, at: .finished)
        status?.description = StatusContent.fitted(refusal.statusDescription)
        if let earlier = try await pipelines.createRefused(refused, delivery: delivery, finalStatus: status) { return earlier }
        if status != nil { await lifecycle.statusStored() }
        logger.info("refused pipeline recorded", metadata: ["pipeline_id": "\(pipeline.id)", "limit": "\(refusal.reached.limit.rawValue)"])
        return nil
    }

    /// The account's plan from the catalog (the free plan's limits for an id the catalog no longer has).
    func plan(of userID: String) async throws -> SubscriptionPlan {
        let id = try await users.find(id: userID)?.plan ?? PlanCatalog.freePlanID
        return plans.effectivePlan(id: id)
    }
}
