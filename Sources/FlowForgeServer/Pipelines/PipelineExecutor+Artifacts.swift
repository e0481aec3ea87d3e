import FlowForgeCore
import FlowForgeRunner
import FlowForgeStore
import Foundation

extension PipelineExecutor {
    /// Runs the plan with its `cache:` restored before and saved after a success, the cache's lines going to
    /// the first step's log and the last one's (through `log`, which stores them as they are). Returns the
    /// outcome and what the backend left to remove (`Backend.runLeavingCleanup`): the cache is saved before.
    func run(
        _ request: RunRequest, observer: some RunObserver, log: some RunObserver, of pipeline: PipelineRecord
    ) async -> (outcome: RunOutcome, cleanup: RunCleanup) {
        let plan = request.plan
        guard let cache, !plan.cache.isEmpty, let first = plan.steps.first, let last = plan.steps.last else {
            return await run(request, observer: observer, of: pipeline)
        }
        let limit = await storageLimits(for: pipeline).cacheBytes
        if let line = await cache.restore(for: pipeline, workspace: request.workspace, maxBytes: limit) {
            await log.stepOutput(first.name, Array(line.utf8))
        }
        let (outcome, cleanup) = await run(request, observer: observer, of: pipeline)
        if case .success = outcome, !Task.isCancelled {
            let line = await cache.save(plan.cache, for: pipeline, workspace: request.workspace, maxBytes: limit)
            await log.stepOutput(last.name, Array(line.utf8))
        }
        return (outcome, cleanup)
    }

    /// Runs the plan, keeping each step's artifacts as it ends when the plan has any and a store is set.
    func run(_ request: RunRequest, observer: some RunObserver, of pipeline: PipelineRecord) async -> (outcome: RunOutcome, cleanup: RunCleanup) {
        guard let collector = artifacts, request.plan.steps.contains(where: { !$0.artifacts.isEmpty }) else {
            return await backend.runLeavingCleanup(request, observer: observer)
        }
        let owner = ArtifactCollector.Owner(
            pipelineID: pipeline.id, userID: pipeline.userID, quotaBytes: await storageLimits(for: pipeline).artifactBytes)
        let collecting = ArtifactObserver(base: observer, collector: collector, owner: owner, workspace: request.workspace, plan: request.plan)
        return await backend.runLeavingCleanup(request, observer: collecting)
    }

    /// What the account's plan lets it keep; the free plan's limits when the plan cannot be read.
    func storageLimits(for pipeline: PipelineRecord) async -> PlanStorageLimits {
        guard let plans else { return .standard }
        guard let users else { return plans.free.storage }
        do {
            let planID = try await users.find(id: pipeline.userID)?.plan ?? PlanCatalog.freePlanID
            return plans.effectivePlan(id: planID).storage
        } catch {
            logger.warning("could not read the account's plan; using the free plan's storage limits", metadata: [
                "pipeline_id": "\(pipeline.id)", "error": "\(error)",
            ])
            return plans.free.storage
        }
    }
}
