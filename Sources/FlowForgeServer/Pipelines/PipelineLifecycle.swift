import FlowForgeStore

/// Turns a pipeline's milestones into what its forge is told (commit statuses).
///
/// A status is stored in the same transaction as the state it reports, so the caller asks for it first
/// (`status(for:at:)`), commits both, then calls `statusStored()`. Calls must return quickly and must not
/// throw: a slow forge may never hold up a pipeline, so implementations only describe what to send (an
/// outbox row) and send it elsewhere.
protocol PipelineLifecycleObserver: Sendable {
    /// The commit status reporting `milestone` of `pipeline` (already in the state it will be committed in),
    /// or nil when the pipeline has no forge to tell or its commit is not known yet.
    func status(for pipeline: PipelineRecord, at milestone: StatusMilestone) async -> NewOutboxStatus?
    /// A status from `status(for:at:)` was committed: send it soon.
    func statusStored() async
    /// Stores and sends the final status of a pipeline that ended without a run (canceled while queued).
    func pipelineFinished(_ pipeline: PipelineRecord) async
}

/// The observer used when nothing listens.
struct NoLifecycleObserver: PipelineLifecycleObserver {
    func status(for pipeline: PipelineRecord, at milestone: StatusMilestone) async -> NewOutboxStatus? { nil }
    func statusStored() async {}
    func pipelineFinished(_ pipeline: PipelineRecord) async {}
}
