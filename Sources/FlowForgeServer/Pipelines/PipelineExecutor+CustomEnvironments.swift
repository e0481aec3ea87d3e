import FlowForgeCore
import FlowForgeRunner
import FlowForgeStore
import Foundation

extension PipelineExecutor {
    /// Why `plan`'s custom environments cannot be built for this pipeline (it then ends `error` before
    /// any step), or nil: none asked for, or the backend builds images and the account's plan includes them.
    func customEnvironmentProblem(for plan: Plan, of pipeline: PipelineRecord) async -> String? {
        guard !plan.dockerfiles.isEmpty else { return nil }
        guard backend is any ImageBuilder else {
            return "this FlowForge runs steps without Docker, so it cannot build custom environments; name a ready image with `image:` instead of a Dockerfile"
        }
        guard let plans, let users else { return nil }
        let account: SubscriptionPlan
        do {
            account = plans.effectivePlan(id: try await users.find(id: pipeline.userID)?.plan ?? PlanCatalog.freePlanID)
        } catch {
            logger.error("could not read the account's plan", metadata: ["pipeline_id": "\(pipeline.id)", "error": "\(error)"])
            return "FlowForge could not read the account's plan to build its custom environment; start the pipeline again later"
        }
        guard plans.grants(PlanCatalog.customEnvironments, to: account) else {
            return CustomEnvironmentRefusal(plan: account, catalog: plans).message
        }
        return nil
    }

    /// The steps a run records: one per Dockerfile to build (built first), the services (started next), then the plan's steps.
    static func recordedSteps(of plan: Plan) -> [String] {
        plan.dockerfiles.map { CustomEnvironments.stepName($0, in: plan) } + plan.services.map(\.logName) + plan.steps.map(\.name)
    }

    /// Builds (or finds) the custom environments and puts their images in `request`'s plan; nil when the
    /// run may go on, else the result it ends with.
    func prepareEnvironments(_ request: inout RunRequest, of pipeline: PipelineRecord, workspace: URL, observer: some RunObserver) async -> Result? {
        guard !request.plan.dockerfiles.isEmpty, let builder = backend as? any ImageBuilder else { return nil }
        let environments = CustomEnvironments(
            builder: builder, scratch: workspaceRoot.deletingLastPathComponent().appendingPathComponent("environments", isDirectory: true),
            limits: request.limits, timeout: pipelineTimeout, logger: logger)
        switch await environments.prepare(request.plan, account: pipeline.userID, workspace: workspace, observer: observer) {
        case .success(let images):
            for index in request.plan.steps.indices {
                if let dockerfile = request.plan.steps[index].dockerfile, let image = images[dockerfile] { request.plan.steps[index].image = image }
            }
            return nil
        case .failure(let failure):
            if Task.isCancelled { return Result(status: .canceled, error: "stopped while building the custom environment") }
            return Result(status: .error, error: failure.text)
        }
    }
}
