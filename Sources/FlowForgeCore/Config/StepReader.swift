import Yams

/// Reads `steps:`, either a list (`- name: build …`) or a mapping (`build: {…}`), in file order.
struct StepReader {
    static let stepKeys = ["name", "image", "commands", "env", "environment", "image_pull_secret", "timeout", "depends_on", "failure", "when", "artifacts"]
    static let maxNameLength = 100

    let reader: ConfigReader
    let limits: ConfigLimits

    func steps(_ node: Node) throws(ConfigError) -> [StepConfig] {
        var steps: [StepConfig] = []
        switch node {
        case .sequence(let sequence):
            try checkCount(sequence.count, node)
            for (index, item) in sequence.enumerated() {
                steps.append(try step(item, givenName: nil, path: "steps[\(index)]"))
            }
        case .mapping:
            let entries = try reader.entries(node, path: "steps")
            try checkCount(entries.count, node)
            for (name, keyNode, value) in entries {
                try checkName(name, keyNode)
                var step = try step(value, givenName: name, path: "steps.\(name)")
                step.line = keyNode.mark?.line
                step.column = keyNode.mark?.column
                steps.append(step)
            }
        default:
            throw reader.error(node, "steps must be a list of steps (`- name: build`), not \(reader.kind(node))")
        }
        guard !steps.isEmpty else {
            throw reader.error(node, "steps is empty; add at least one step with `name` and `commands`")
        }
        var seen = Set<String>()
        for step in steps where !seen.insert(step.name).inserted {
            throw ConfigError(file: reader.file, line: step.line, column: step.column, message: """
                two steps are named `\(step.name)`; step names must be unique
                """)
        }
        return steps
    }

    private func checkCount(_ count: Int, _ node: Node) throws(ConfigError) {
        guard count <= limits.maxSteps else {
            throw reader.error(node, "steps has \(count) steps, over the limit of \(limits.maxSteps); merge some")
        }
    }

    private func checkName(_ name: String, _ node: Node) throws(ConfigError) {
        guard !name.trimmingWhitespace().isEmpty else {
            throw reader.error(node, "a step has an empty name; give every step a `name`")
        }
        guard name.count <= Self.maxNameLength else {
            throw reader.error(node, "the step name `\(name.prefix(20))…` is \(name.count) characters long; the limit is \(Self.maxNameLength)")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw reader.error(node, "the step name \(name.debugDescription) contains a control character such as a line break")
        }
    }

    private func step(_ node: Node, givenName: String?, path: String) throws(ConfigError) -> StepConfig {
        let entries = try reader.entries(node, path: path)
        var name = givenName
        var path = path
        if givenName == nil, let entry = entries.first(where: { $0.key == "name" }) {
            let value = try reader.string(entry.value, path: "\(path).name")
            try checkName(value, entry.value)
            name = value
            path = "steps.\(value)"
        }
        try reader.checkKnown(entries, path: path, known: Self.stepKeys)
        guard let name else {
            throw reader.error(node, "\(path) has no `name`; every step needs one")
        }
        var step = StepConfig(name: name, commands: [], line: node.mark?.line)
        step.column = node.mark?.column
        var sawCommands = false
        for (key, keyNode, value) in entries {
            switch key {
            case "name":
                if givenName != nil {
                    throw reader.error(keyNode, "\(path) is named by its key; remove `name:` or write steps as a list")
                }
            case "image":
                switch try reader.image(value, path: "\(path).image") {
                case .reference(let image): step.image = image
                case .dockerfile(let file): step.dockerfile = file
                }
            case "commands":
                sawCommands = true
                step.commands = try commands(value, path: "\(path).commands")
            case "env", "environment":
                // `environment` is the spelling of Drone and Woodpecker; one step takes one of the two.
                if entries.contains(where: { $0.key == "env" }) && entries.contains(where: { $0.key == "environment" }) {
                    throw reader.error(keyNode, "\(path) has both `env` and `environment`; they are the same key, keep one")
                }
                (step.environment, step.secrets) = try reader.stepEnvironment(value, path: "\(path).\(key)")
            case "image_pull_secret": step.imagePullSecret = try reader.secretName(value, path: "\(path).image_pull_secret")
            case "artifacts": step.artifacts = try reader.workspacePatterns(value, path: "\(path).artifacts")
            case "timeout": step.timeoutSeconds = try timeout(value, path: "\(path).timeout")
            case "depends_on":
                step.dependsOn = try reader.strings(value, path: "\(path).depends_on")
                step.dependsOnLine = value.mark?.line
                step.dependsOnColumn = value.mark?.column
            case "failure":
                let policy = try reader.string(value, path: "\(path).failure")
                guard ["ignore", "fail"].contains(policy) else {
                    throw reader.error(value, """
                        \(path).failure must be `ignore` (the step may fail without failing the pipeline) or \
                        `fail` (the default), not `\(policy)`
                        """)
                }
                step.ignoreFailure = policy == "ignore"
            default: step.when = try WhenReader(reader: reader).condition(value, path: "\(path).when", forStep: true)
            }
        }
        guard sawCommands else {
            throw reader.error(node, "\(path) has no `commands`; list the shell commands the step runs")
        }
        return step
    }

    private func commands(_ node: Node, path: String) throws(ConfigError) -> [String] {
        let commands = try reader.strings(node, path: path)
        guard !commands.isEmpty else {
            throw reader.error(node, "\(path) is empty; list at least one shell command")
        }
        if let index = commands.firstIndex(where: { $0.trimmingWhitespace().isEmpty }) {
            throw reader.error(node, "\(path)[\(index)] is an empty command; remove it")
        }
        return commands
    }

    private func timeout(_ node: Node, path: String) throws(ConfigError) -> Int {
        let text = try reader.string(node, path: path)
        guard let seconds = ConfigDuration.seconds(text) else {
            throw reader.error(node, """
                \(path) must be a number of seconds or a duration like 90s, 10m or 1h30m, greater than zero \
                and at most 24h, not `\(text)`
                """)
        }
        return seconds
    }
}
