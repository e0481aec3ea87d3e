import FlowForgeStore
import Foundation
import Hummingbird

extension PipelineController {
    /// `POST /api/v1/pipelines/:id/restart` → 201 with a new pipeline that runs the same thing again: the same
    /// repository, branch and commit (the one the original resolved, not the branch's head now), event,
    /// `commands` and `env`. The original is left as it was. Only an ended pipeline can be restarted (409
    /// otherwise), and its URL must still pass the repository URL policy.
    @Sendable func restart(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PipelineView> {
        let original = try await find(context)
        guard original.status.isFinished else {
            throw APIError(
                .conflict, code: "pipeline_not_finished",
                message: "pipeline \(original.id) is still \(original.status.rawValue); wait for it to end, or cancel it, then restart it")
        }
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: original.userID, repositoryID: original.repositoryID,
            repoURL: try await urlPolicy.check(original.repoURL), branch: original.branch, commitSHA: original.commitSHA,
            event: original.event, commands: original.commands, environment: original.environment,
            // A fork's pull request stays one when run again: still a stranger's code, still read-only.
            createdAt: Clock.nowMillis(), fork: original.fork, fetchRef: original.fetchRef
        )
        do {
            try await launcher.launch(pipeline, logger: context.logger)
        } catch let refusal as PlanLimitRefusal {
            throw refusal.apiError
        }
        context.logger.info("pipeline restarted", metadata: ["pipeline_id": "\(pipeline.id)", "restarted_from": "\(original.id)"])
        return EditedResponse(status: .created, response: PipelineView(pipeline, steps: []))
    }
}
