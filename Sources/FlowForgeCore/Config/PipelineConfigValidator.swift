/// Checks that span steps: every dependency names a step, and dependencies form no cycle; and services:
/// their names apart from the steps', and no port claimed twice in the one network namespace.
enum PipelineConfigValidator {
    static func validate(_ config: PipelineConfig, file: String) throws(ConfigError) {
        try validateServices(config, file: file)
        let names = Set(config.steps.map(\.name))
        for step in config.steps {
            for dependency in step.dependsOn ?? [] where !names.contains(dependency) {
                var message = "step `\(step.name)` depends on `\(dependency)`, but no step has that name"
                if let guess = Spelling.closest(to: dependency, among: config.steps.map(\.name)) {
                    message += " (did you mean `\(guess)`?)"
                }
                let (line, column) = step.dependsOnLine != nil ? (step.dependsOnLine, step.dependsOnColumn) : (step.line, step.column)
                throw ConfigError(file: file, line: line, column: column, message: message)
            }
        }
        if let cycle = cycle(in: config.steps) {
            let first = config.steps.first { $0.name == cycle[0] }
            var message = "the steps depend on each other in a cycle (\(cycle.joined(separator: " → "))); remove one of these `depends_on` entries"
            // A step without `depends_on` runs after the step before it: say so, since that edge is not written.
            if let implicit = config.steps.first(where: { cycle.contains($0.name) && $0.dependsOn == nil }) {
                message += " (`\(implicit.name)` has no `depends_on`, so it runs after the step before it; give it `depends_on: []` to start it at once)"
            }
            throw ConfigError(file: file, line: first?.line, column: first?.column, message: message)
        }
    }

    /// Each step's dependencies as the run sees them: its `depends_on`, or without one the step before it
    /// in the file (none for the first).
    static func resolvedDependencies(_ steps: [StepConfig]) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for (index, step) in steps.enumerated() where result[step.name] == nil {
            result[step.name] = step.dependsOn ?? (index > 0 ? [steps[index - 1].name] : [])
        }
        return result
    }

    /// A dependency cycle as a list of names whose last equals its first, or nil. Depth-first search,
    /// starting from steps in file order so the reported cycle is stable. A step without `depends_on`
    /// depends on the one before it, so `a: {depends_on: [b]}` followed by `b` is a cycle too.
    static func cycle(in steps: [StepConfig]) -> [String]? {
        let dependencies = resolvedDependencies(steps)
        var finished = Set<String>()
        var path: [String] = []

        func visit(_ name: String) -> [String]? {
            if let start = path.firstIndex(of: name) { return Array(path[start...]) + [name] }
            if finished.contains(name) { return nil }
            path.append(name)
            for dependency in dependencies[name] ?? [] {
                if let cycle = visit(dependency) { return cycle }
            }
            path.removeLast()
            finished.insert(name)
            return nil
        }
        for step in steps {
            if let cycle = visit(step.name) { return cycle }
        }
        return nil
    }

    /// A service and a step of one name would share a log and a `depends_on` name; a step named
    /// `service <name>` would share a service's log section. Services share the pod's network, so two
    /// cannot listen on one port.
    static func validateServices(_ config: PipelineConfig, file: String) throws(ConfigError) {
        var owners: [Int: String] = [:]
        var seen = Set<String>()
        for service in config.services {
            guard seen.insert(service.name).inserted else {
                throw ConfigError(file: file, line: service.line, message: "two services are named `\(service.name)`; service names must be unique")
            }
            if let step = config.steps.first(where: { $0.name == service.name || $0.name == service.logName }) {
                throw ConfigError(file: file, line: step.line, message: """
                    the step `\(step.name)` has the name of the service `\(service.name)`; rename one of them \
                    (their output would share a log section)
                    """)
            }
            for port in service.ports {
                if let owner = owners[port], owner != service.name {
                    throw ConfigError(file: file, line: service.line, message: """
                        services `\(owner)` and `\(service.name)` both list port \(port); services share the pipeline's \
                        network (localhost), so only one can listen on a port
                        """)
                }
                owners[port] = service.name
            }
        }
    }
}
