import FlowForgeStore
import Hummingbird

extension PipelineController {
    /// `POST /api/v1/pipelines/:id/cancel`. A pipeline no worker has taken ends `canceled` at once (200). A
    /// running one is stopped by its worker within about a second: its containers are removed, the step that
    /// was running and those after it become `canceled` (202, poll the pipeline to see it end). A pipeline
    /// that already ended is a 409 and stays as it was.
    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PipelineView> {
        let userID = try context.requireUser()
        let id = try context.parameters.require("id")
        let outcome = try await pipelines.requestCancel(id: id, userID: userID, at: Clock.nowMillis())
        switch outcome {
        case nil:
            throw APIError.notFound("pipeline \(id)")
        case .alreadyFinished(let status):
            throw APIError(
                .conflict, code: "pipeline_finished",
                message: "pipeline \(id) already ended with status \(status.rawValue); only pending or running pipelines can be canceled")
        case .canceled, .stopping:
            let pipeline = try await find(context)
            if outcome == .canceled {
                await launcher.lifecycle.pipelineFinished(pipeline)
            }
            context.logger.info("pipeline cancel requested", metadata: ["pipeline_id": "\(id)"])
            return EditedResponse(
                status: outcome == .canceled ? .ok : .accepted,
                response: PipelineView(pipeline, steps: try await pipelines.steps(pipelineID: id)))
        }
    }
}
