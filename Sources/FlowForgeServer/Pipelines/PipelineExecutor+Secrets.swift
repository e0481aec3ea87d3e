import FlowForgeCore
import FlowForgeStore

extension PipelineExecutor {
    /// The values of the secrets `plan` names, or why the pipeline cannot have them (an `error` before any
    /// step runs). A plan that names none needs no store.
    func secretValues(for plan: Plan, of pipeline: PipelineRecord) async -> Swift.Result<[String: String], PipelineSecrets.Problem> {
        if plan.secretNames.isEmpty { return .success([:]) }
        guard let secrets else {
            return .failure(.init(text: "this FlowForge worker has no access to secrets; remove `from_secret` and `image_pull_secret` from flowforge.yml"))
        }
        do {
            return try await secrets.values(for: plan, of: pipeline)
        } catch {
            logger.error("could not read secrets", metadata: ["pipeline_id": "\(pipeline.id)", "error": "\(error)"])
            return .failure(.init(text: "FlowForge could not read the pipeline's secrets; start the pipeline again later"))
        }
    }

    /// What each step's container may use: the account's plan (`PlanCatalog`), under the operator's
    /// `FLOWFORGE_STEP_*` settings as the ceiling. Without a catalog, the operator's settings alone.
    func stepLimits(for pipeline: PipelineRecord) async -> StepLimits {
        guard let plans, let users else { return stepLimits }
        do {
            let planID = try await users.find(id: pipeline.userID)?.plan ?? PlanCatalog.freePlanID
            return stepLimits.forPlan(plans.effectivePlan(id: planID).stepLimits)
        } catch {
            // The smallest plan's limits rather than the machine's: a database hiccup must not hand a
            // free account a bigger container.
            logger.warning("could not read the account's plan; using the free plan's step limits", metadata: [
                "pipeline_id": "\(pipeline.id)", "error": "\(error)",
            ])
            return stepLimits.forPlan(plans.free.stepLimits)
        }
    }
}
