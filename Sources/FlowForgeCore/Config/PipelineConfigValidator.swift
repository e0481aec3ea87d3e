/// Checks that span steps: every dependency names a step, and dependencies form no cycle.
enum PipelineConfigValidator {
    static func validate(_ config: PipelineConfig, file: String) throws(ConfigError) {
        let names = Set(config.steps.map(\.name))
        for step in config.steps {
            for dependency in step.dependsOn where !names.contains(dependency) {
                var message = "step `\(step.name)` depends on `\(dependency)`, but no step has that name"
                if let guess = Spelling.closest(to: dependency, among: config.steps.map(\.name)) {
                    message += " (did you mean `\(guess)`?)"
                }
                throw ConfigError(file: file, line: step.dependsOnLine ?? step.line, message: message)
            }
        }
        if let cycle = cycle(in: config.steps) {
            let first = config.steps.first { $0.name == cycle[0] }
            throw ConfigError(file: file, line: first?.line, message: """
                the steps depend on each other in a cycle (\(cycle.joined(separator: " → "))); \
                remove one of these `depends_on` entries
                """)
        }
    }

    /// A dependency cycle as a list of names whose last equals its first, or nil. Depth-first search,
    /// starting from steps in file order so the reported cycle is stable.
    static func cycle(in steps: [StepConfig]) -> [String]? {
        let dependencies = Dictionary(steps.map { ($0.name, $0.dependsOn) }, uniquingKeysWith: { first, _ in first })
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
}
