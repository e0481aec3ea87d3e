import FlowForgeStore

/// Told about every pipeline's milestones, e.g. to post commit statuses to its forge.
/// Calls must return quickly and must not throw: a slow forge may never hold up a pipeline, so
/// implementations record what to do (an outbox) and do it elsewhere.
protocol PipelineLifecycleObserver: Sendable {
    /// The pipeline and its job were just stored (status `pending`).
    func pipelineQueued(_ pipeline: PipelineRecord) async
    /// A worker started it (status `running`, `commitSHA` resolved).
    func pipelineStarted(_ pipeline: PipelineRecord) async
    /// It reached a final status.
    func pipelineFinished(_ pipeline: PipelineRecord) async
}

/// The observer used when nothing listens.
struct NoLifecycleObserver: PipelineLifecycleObserver {
    func pipelineQueued(_ pipeline: PipelineRecord) async {}
    func pipelineStarted(_ pipeline: PipelineRecord) async {}
    func pipelineFinished(_ pipeline: PipelineRecord) async {}
}
