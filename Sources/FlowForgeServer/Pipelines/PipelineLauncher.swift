import FlowForgeStore
import Logging

/// The one way a pipeline comes into being, whether from the v1 API or a forge webhook: store it with its
/// job (and, for a webhook, the delivery's answer, and its first commit status) in one transaction, then
/// wake this process's idle workers and status sender.
struct PipelineLauncher: Sendable {
    let pipelines: any PipelineRepository
    let signal: JobSignal
    let lifecycle: any PipelineLifecycleObserver

    /// Nil when the pipeline was stored; the earlier answer when `delivery` had already been answered by a
    /// concurrent copy of it (then nothing was stored).
    @discardableResult
    func launch(_ pipeline: PipelineRecord, delivery: WebhookDeliveryRecord? = nil, logger: Logger) async throws -> WebhookDeliveryRecord? {
        let status = await lifecycle.status(for: pipeline, at: .queued)
        if let earlier = try await pipelines.createQueued(pipeline, delivery: delivery, queuedStatus: status) { return earlier }
        if status != nil { await lifecycle.statusStored() }
        await signal.notify()
        logger.info("pipeline queued", metadata: ["pipeline_id": "\(pipeline.id)", "event": "\(pipeline.event)"])
        return nil
    }
}
