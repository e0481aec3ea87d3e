import FlowForgeStore
import Logging

/// The one way a pipeline comes into being, whether from the v1 API or a forge webhook: store it with its
/// job in one transaction, tell the lifecycle observer, and wake this process's idle workers.
struct PipelineLauncher: Sendable {
    let pipelines: any PipelineRepository
    let signal: JobSignal
    let lifecycle: any PipelineLifecycleObserver

    func launch(_ pipeline: PipelineRecord, logger: Logger) async throws {
        try await pipelines.createQueued(pipeline)
        await lifecycle.pipelineQueued(pipeline)
        await signal.notify()
        logger.info("pipeline queued", metadata: ["pipeline_id": "\(pipeline.id)", "event": "\(pipeline.event)"])
    }
}
