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

    public init(
        name: String, image: String, commands: [String], environment: [String: String] = [:],
        timeoutSeconds: Int? = nil, dependsOn: [String] = []
    ) {
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
}

/// The result of compiling a config for one trigger.
public enum PlanOutcome: Sendable, Equatable {
    case run(Plan)
    /// Nothing to run for this trigger; `reason` says why, in words fit for a commit status.
    case skipped(reason: String)
}
