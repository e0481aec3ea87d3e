/// One entry of `services:`: a container that runs beside the steps for the whole pipeline.
public struct ServiceConfig: Sendable, Equatable {
    public var name: String
    /// Always set after parsing: a service has no default image.
    public var image: String
    /// Replaces the image's command when not empty (run by `/bin/sh`, like a step's).
    public var commands: [String]
    public var environment: [String: String]
    /// Variables filled from secrets: variable → secret name (`KEY: {from_secret: name}`).
    public var secrets: [String: String]
    /// TCP ports the steps wait for; each 1–65535, no port twice in the pipeline.
    public var ports: [Int]
    public var imagePullSecret: String?
    /// The line where the service starts in the file, for error messages found after parsing.
    public var line: Int?

    public init(
        name: String, image: String, commands: [String] = [], environment: [String: String] = [:],
        secrets: [String: String] = [:], ports: [Int] = [], imagePullSecret: String? = nil, line: Int? = nil
    ) {
        self.name = name
        self.image = image
        self.commands = commands
        self.environment = environment
        self.secrets = secrets
        self.ports = ports
        self.imagePullSecret = imagePullSecret
        self.line = line
    }
}

extension ServiceConfig {
    /// See `PlanService.logName`.
    var logName: String { PlanService.logName(name) }
}
