import FlowForgeCore

extension PlanStep {
    /// The container's `Env`: the step's variables, then those it fills from secrets (which win on the same
    /// name), sorted so that the container config is stable.
    func containerEnvironment(secrets values: [String: String]) -> [String] {
        var environment = self.environment
        for (variable, name) in secrets {
            if let value = values[name] { environment[variable] = value }
        }
        return environment.map { "\($0.key)=\($0.value)" }.sorted()
    }
}
