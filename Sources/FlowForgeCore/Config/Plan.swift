/// What triggered a pipeline, as far as `when:` filters care.
public struct TriggerContext: Sendable, Equatable {
    /// One of `knownEvents`.
    public var event: String
    /// The branch; for `tag` events, the tag name; for pull requests, the source branch.
    public var branch: String
    /// For pull requests, the branch the change targets (what `when.branch` matches then).
    public var targetBranch: String?
    /// The paths (relative to the repository's root) the push or pull request changed; nil when unknown,
    /// and then `when.path` matches.
    public var changedFiles: [String]?

    /// The events a trigger can carry: a push, a pushed tag, a pull request, a v1 API call, a manual run.
    public static let knownEvents = ["push", "tag", "pull_request", "api", "manual"]

    public init(event: String, branch: String, targetBranch: String? = nil, changedFiles: [String]? = nil) {
        self.event = event
        self.branch = branch
        self.targetBranch = targetBranch
        self.changedFiles = changedFiles
    }
}

/// One step as a backend runs it: everything resolved, nothing left to interpret but `script`.
public struct PlanStep: Sendable, Codable, Equatable {
    public var name: String
    /// The image to run. Empty while `dockerfile` is set: the server builds that image before the run and
    /// puts its tag here, so a backend always gets an image to run.
    public var image: String
    /// A custom environment: the path, inside the workspace, of the Dockerfile the step's image is built from.
    public var dockerfile: String?
    public var commands: [String]
    public var environment: [String: String]
    public var timeoutSeconds: Int?
    /// Steps of the same plan that must end first (steps left out by `when` are not listed). Empty: the
    /// step may start at once. Steps with no path between them may run at the same time.
    public var dependsOn: [String]
    /// A failure of this step does not fail the pipeline, nor counts as a failure for the steps after it.
    public var ignoreFailure: Bool
    /// The states in which the step runs once its dependencies ended: `success` when none of the steps it
    /// depends on (directly or through others) failed, `failure` when one did. Never empty.
    public var runsOn: Set<StepCondition>
    /// Variables filled from secrets: variable → secret name. Only names: the server resolves the values
    /// right before the run and hands them to the backend in `RunRequest.secrets`; a secret's variable
    /// wins over a plain one of the same name.
    public var secrets: [String: String] = [:]
    /// The secret whose value (a registry auth JSON document) the backend sends with this step's image pull.
    public var imagePullSecret: String?
    /// Workspace paths and globs (`WorkspacePattern`) whose files the server stores after the step ends.
    public var artifacts: [String] = []

    public init(
        name: String, image: String, commands: [String], environment: [String: String] = [:],
        timeoutSeconds: Int? = nil, dependsOn: [String] = [], ignoreFailure: Bool = false,
        runsOn: Set<StepCondition> = [.success], secrets: [String: String] = [:], imagePullSecret: String? = nil,
        dockerfile: String? = nil
    ) {
        self.dockerfile = dockerfile
        self.ignoreFailure = ignoreFailure
        self.runsOn = runsOn
        self.secrets = secrets
        self.imagePullSecret = imagePullSecret
        self.name = name
        self.image = image
        self.commands = commands
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.dependsOn = dependsOn
    }
}

/// What a step's upstream came to, for `PlanStep.runsOn` (a step's `when.status`).
public enum StepCondition: String, Sendable, Codable, Hashable {
    case success, failure
}

/// The compiled pipeline: a graph of steps, listed in an order that respects `dependsOn` (each step
/// after all it needs), so running them one by one in this order is always valid.
public struct Plan: Sendable, Codable, Equatable {
    /// The pipeline's name (top-level `name:`, else `PipelineConfig.defaultName`).
    public var name: String
    public var steps: [PlanStep]
    /// Workspace paths (`WorkspacePattern`) the server restores before the first step and saves after a
    /// successful run; empty for none.
    public var cache: [String] = []

    /// Started before the first step, in this order, and stopped after the last; shared by every step
    /// (and every matrix combination) of the run.
    public var services: [PlanService]

    public init(name: String = PipelineConfig.defaultName, steps: [PlanStep], services: [PlanService] = [], cache: [String] = []) {
        self.name = name
        self.steps = steps
        self.services = services
        self.cache = cache
    }

    /// Every secret some step or service needs, for its environment or its image pull.
    public var secretNames: Set<String> {
        Set(steps.flatMap { Array($0.secrets.values) + ($0.imagePullSecret.map { [$0] } ?? []) }
            + services.flatMap { Array($0.secrets.values) + ($0.imagePullSecret.map { [$0] } ?? []) })
    }

    /// The Dockerfiles the plan's steps are built from, each once, in step order.
    public var dockerfiles: [String] {
        var seen = Set<String>()
        return steps.compactMap(\.dockerfile).filter { seen.insert($0).inserted }
    }

    /// For each step, every step it depends on directly or through others.
    public var upstream: [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for step in steps {  // dependency order: each dependency's set is complete before it is read
            var all = Set(step.dependsOn)
            for dependency in step.dependsOn { all.formUnion(result[dependency] ?? []) }
            result[step.name] = all
        }
        return result
    }
}

/// The result of compiling a config for one trigger.
public enum PlanOutcome: Sendable, Equatable {
    case run(Plan)
    /// Nothing to run for this trigger; `reason` says why, in words fit for a commit status.
    case skipped(reason: String)
}
