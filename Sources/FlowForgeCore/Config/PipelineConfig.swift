/// A parsed and validated `flowforge.yml`: what the file says, before it is matched against a trigger.
///
/// `PipelineConfigParser.parse` only returns values whose step names are unique, whose dependencies name
/// existing steps and contain no cycle, and whose env keys are valid.
public struct PipelineConfig: Sendable, Equatable {
    /// The pipeline's `name:`; nil means `PipelineConfig.defaultName`. Names the commit status context.
    public var name: String?
    /// `matrix:`; when set, the steps run once per combination, each combination a chain of its own.
    public var matrix: Matrix?
    /// Default image for steps that name none; nil means the server's default image.
    public var image: String?
    /// `image: {dockerfile: path}`: the Dockerfile of the workspace whose image runs the steps that name
    /// no image of their own (a custom environment); `image` is nil then.
    public var dockerfile: String?
    /// Pipeline-wide environment, merged under each step's own (the step's value wins).
    public var environment: [String: String]
    /// Pipeline-level filter; when it does not match, the whole pipeline is skipped.
    public var when: WhenCondition?
    /// The steps in file order.
    public var steps: [StepConfig]
    /// The secret holding registry credentials for pulling the images of steps that name none of their own.
    public var imagePullSecret: String?
    /// `cache:`: workspace paths restored before the first step and saved after a successful run
    /// (normalized, each inside the workspace).
    public var cache: [String] = []
    /// `services:` in file order: containers beside the steps for the whole run, reached on `localhost`.
    public var services: [ServiceConfig] = []

    /// The name of a pipeline whose file has no `name:`.
    public static let defaultName = "ci"

    public init(
        name: String? = nil, matrix: Matrix? = nil, image: String? = nil, environment: [String: String] = [:],
        when: WhenCondition? = nil, steps: [StepConfig]
    ) {
        self.name = name
        self.matrix = matrix
        self.image = image
        self.environment = environment
        self.when = when
        self.steps = steps
    }
}

/// One entry of `steps:`.
public struct StepConfig: Sendable, Equatable {
    public var name: String
    /// The step's image; nil means the pipeline's `image`, else the server's default.
    public var image: String?
    /// `image: {dockerfile: path}` on the step: its image is built from that Dockerfile of the workspace.
    public var dockerfile: String?
    /// Shell commands run in order by `/bin/sh`; never empty after parsing.
    public var commands: [String]
    public var environment: [String: String]
    public var timeoutSeconds: Int?
    /// Names of steps that must finish first. Nil (no `depends_on:`) means the step before it in the file;
    /// an empty list means none, so the step starts at once.
    public var dependsOn: [String]?
    /// `failure: ignore`: the step may fail without failing the pipeline (its own status stays `failure`).
    public var ignoreFailure: Bool = false
    /// Step-level filter; when it does not match, the step is left out of the plan.
    public var when: WhenCondition?
    /// The line where the step starts in the file, for error messages found after parsing.
    public var line: Int?
    /// The column where the step starts, beside `line`.
    public var column: Int?
    /// The line of `depends_on:`, so that an unknown dependency is reported where it is written.
    var dependsOnLine: Int?
    var dependsOnColumn: Int?
    /// Variables filled from secrets: variable → secret name (`KEY: {from_secret: name}`).
    public var secrets: [String: String] = [:]
    /// The secret holding the registry credentials for pulling this step's image.
    public var imagePullSecret: String?
    /// `artifacts:`: paths and globs of files kept after the step (normalized, each inside the workspace).
    public var artifacts: [String] = []

    public init(
        name: String, image: String? = nil, commands: [String], environment: [String: String] = [:],
        timeoutSeconds: Int? = nil, dependsOn: [String]? = nil, ignoreFailure: Bool = false, when: WhenCondition? = nil, line: Int? = nil
    ) {
        self.name = name
        self.image = image
        self.commands = commands
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.dependsOn = dependsOn
        self.ignoreFailure = ignoreFailure
        self.when = when
        self.line = line
    }
}
