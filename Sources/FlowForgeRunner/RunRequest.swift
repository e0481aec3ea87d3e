import FlowForgeCore

/// One pipeline for a `Backend` to run.
public struct RunRequest: Sendable {
    /// Labels every container the run creates, so leftovers can be found and reaped after a crash.
    public var pipelineID: String
    /// The steps, already in dependency order.
    public var plan: Plan
    /// Most steps of this pipeline that run at the same time (`FLOWFORGE_MAX_PARALLEL_STEPS`); at least 1.
    public var maxParallelSteps: Int
    /// Host path of the checked-out repository; steps see it at `/workspace`.
    public var workspace: String
    /// A host folder where the backend may keep files of its own for this run, named after `pipelineID`
    /// and removed by the run (the server's workspaces folder, whose sweeper also finds a crashed run's);
    /// nil for the system's temporary folder (a local run, whose workspace is the user's own directory).
    public var runFiles: String?
    /// Limit for the whole pipeline, on top of each step's own `timeoutSeconds`.
    public var timeout: Duration
    /// What each step's container may use (memory, CPU, processes, open files, log size).
    public var limits: StepLimits
    /// Secret name → value, for the steps' `PlanStep.secrets` and `imagePullSecret`: resolved by the server
    /// right before the run, never part of the Plan, never logged.
    public var secrets: [String: String] = [:]
    /// How long steps wait for every port the plan's services list to accept connections
    /// (`FLOWFORGE_SERVICE_READY_TIMEOUT`); past it the run ends as an error naming what was not ready.
    public var serviceReadyTimeout: Duration = RunRequest.defaultServiceReadyTimeout

    public init(pipelineID: String, plan: Plan, workspace: String, timeout: Duration, limits: StepLimits = .default, maxParallelSteps: Int = RunRequest.defaultMaxParallelSteps) {
        self.maxParallelSteps = max(1, maxParallelSteps)
        self.pipelineID = pipelineID
        self.plan = plan
        self.workspace = workspace
        self.timeout = timeout
        self.limits = limits
    }

    /// How many steps of one pipeline run at once unless the operator says otherwise.
    public static let defaultMaxParallelSteps = 4
    public static let defaultServiceReadyTimeout = Duration.seconds(60)
}
