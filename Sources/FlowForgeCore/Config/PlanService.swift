/// One service as a backend runs it: a long-running container (or process) beside the steps, in the
/// pipeline's pod, so that steps reach it on `localhost`. Started before the first step, stopped after the
/// last; when it exits on its own before that, the pipeline fails.
public struct PlanService: Sendable, Codable, Equatable {
    public var name: String
    public var image: String
    /// Shell commands run in order by `/bin/sh` instead of the image's own command; empty: the image's
    /// entrypoint and command run as the image defines them.
    public var commands: [String]
    public var environment: [String: String]
    /// Variables filled from secrets: variable → secret name, resolved like a step's (`PlanStep.secrets`).
    public var secrets: [String: String]
    /// TCP ports the service listens on inside the pod: no step starts before every one accepts a
    /// connection on 127.0.0.1 (bounded by the run's service readiness timeout). Empty: steps start at once.
    public var ports: [Int]
    /// The secret whose value (a registry auth JSON document) goes with this service's image pull.
    public var imagePullSecret: String?

    public init(
        name: String, image: String, commands: [String] = [], environment: [String: String] = [:],
        secrets: [String: String] = [:], ports: [Int] = [], imagePullSecret: String? = nil
    ) {
        self.name = name
        self.image = image
        self.commands = commands
        self.environment = environment
        self.secrets = secrets
        self.ports = ports
        self.imagePullSecret = imagePullSecret
    }

    /// The name under which a backend reports the service's output and its end to a `RunObserver`, as if it
    /// were a step: `service <name>`. Step names are checked not to take it.
    public var logName: String { Self.logName(name) }

    public static func logName(_ name: String) -> String { "service \(name)" }

    /// The service's commands as one `sh` script, echoing each like a step does; nil without commands.
    public var script: String? {
        commands.isEmpty ? nil : PlanStep(name: name, image: image, commands: commands).script
    }
}
