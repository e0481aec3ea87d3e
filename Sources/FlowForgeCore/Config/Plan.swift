/// What triggered a pipeline, as far as `when:` filters care.
public struct TriggerContext: Sendable, Equatable {
    /// One of `knownEvents`.
    public var event: String
    /// The branch; for `tag` events, the tag name.
    public var branch: String

    /// The events a trigger can carry: a push, a pushed tag, a pull request, a v1 API call, a manual run.
    public static let knownEvents = ["push", "tag", "pull_request", "api", "manual"]

    public init(event: String, branch: String) {
        self.event = event
        self.branch = branch
    }
}

/// One step as a backend runs it: everything resolved, nothing left to interpret but `script`.
public struct PlanStep: Sendable, Codable, Equatable {
    public var name: String
    public var image: String
    public var commands: [String]
    public var environment: [String: String]
    public var timeoutSeconds: Int?
    /// Steps of the same plan that must succeed first (steps left out by `when` are not listed).
    public var dependsOn: [String]
    /// Variables filled from secrets: variable → secret name. Only names: the server resolves the values
    /// right before the run and hands them to the backend in `RunRequest.secrets`; a secret's variable
    /// wins over a plain one of the same name.
    public var secrets: [String: String] = [:]
    /// The secret whose value (a registry auth JSON document) the backend sends with this step's image pull.
    public var imagePullSecret: String?

    public init(
        name: String, image: String, commands: [String], environment: [String: String] = [:],
        timeoutSeconds: Int? = nil, dependsOn: [String] = [], secrets: [String: String] = [:], imagePullSecret: String? = nil
    ) {
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

/// The compiled pipeline: steps in an order that respects `dependsOn` (each step after all it needs).
public struct Plan: Sendable, Codable, Equatable {
    public var steps: [PlanStep]

    public init(steps: [PlanStep]) {
        self.steps = steps
    }

    /// Every secret some step needs, for its environment or its image pull.
    public var secretNames: Set<String> {
        Set(steps.flatMap { Array($0.secrets.values) + ($0.imagePullSecret.map { [$0] } ?? []) })
    }
}

/// The result of compiling a config for one trigger.
public enum PlanOutcome: Sendable, Equatable {
    case run(Plan)
    /// Nothing to run for this trigger; `reason` says why, in words fit for a commit status.
    case skipped(reason: String)
}
