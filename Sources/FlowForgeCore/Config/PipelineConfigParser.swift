import Yams

/// Reads a `flowforge.yml` into a validated `PipelineConfig`. Pure: no I/O, safe on untrusted text.
public enum PipelineConfigParser {
    static let topLevelKeys = ["name", "matrix", "image", "image_pull_secret", "env", "when", "services", "cache", "steps"]
    static let maxNameLength = 50

    /// Parses and validates `text`.
    ///
    /// Throws a `ConfigError` naming the line of the offending node for: text over `limits.maxBytes`
    /// (checked before parsing), invalid YAML, alias abuse (see `ConfigLimits`), unknown keys, wrong
    /// types, more than `limits.maxSteps` steps, duplicate step names, unknown dependencies and cycles.
    public static func parse(
        _ text: String, fileName: String = "flowforge.yml", limits: ConfigLimits = .default
    ) throws(ConfigError) -> PipelineConfig {
        let size = text.utf8.count
        guard size <= limits.maxBytes else {
            throw ConfigError(file: fileName, line: nil, message: """
                the file is \(size) bytes, over the limit of \(limits.maxBytes) bytes; keep it smaller \
                (move long scripts into files in the repository and call them from `commands`)
                """)
        }
        try AliasGuard.check(text, file: fileName, limits: limits)
        let parser: Parser
        let root: Node?
        do {
            parser = try Parser(yaml: text, encoding: .utf8)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw ConfigError.tabIndentation(in: text, failure: error, file: fileName) ?? ConfigError(yaml: error, file: fileName)
        } catch {
            throw ConfigError(file: fileName, line: nil, message: "could not read the YAML: \(error)")
        }
        guard let root, !ConfigReader.isNull(root) else {
            throw ConfigError(file: fileName, line: nil, message: "the file is empty; it needs at least a `steps:` list")
        }
        let config = try read(root, reader: ConfigReader(file: fileName), limits: limits)
        try PipelineConfigValidator.validate(config, file: fileName)
        return config
    }

    static func read(_ root: Node, reader: ConfigReader, limits: ConfigLimits) throws(ConfigError) -> PipelineConfig {
        var config = PipelineConfig(steps: [])
        var sawSteps = false
        for (key, _, value) in try reader.entries(root, path: "the top level", known: topLevelKeys) {
            switch key {
            case "name": config.name = try name(value, reader: reader)
            case "matrix": config.matrix = try MatrixReader(reader: reader).matrix(value)
            case "image":
                switch try reader.image(value, path: "image") {
                case .reference(let image): config.image = image
                case .dockerfile(let file): config.dockerfile = file
                }
            case "env": config.environment = try reader.environment(value, path: "env")
            case "image_pull_secret": config.imagePullSecret = try reader.secretName(value, path: "image_pull_secret")
            case "cache": config.cache = try reader.workspacePatterns(value, path: "cache")
            case "when": config.when = try WhenReader(reader: reader).condition(value, path: "when")
            case "services": config.services = try ServiceReader(reader: reader).services(value)
            default:
                sawSteps = true
                config.steps = try StepReader(reader: reader, limits: limits).steps(value)
            }
        }
        guard sawSteps else {
            throw reader.error(root, "the file has no `steps:`; add a list of steps, each with `name` and `commands`")
        }
        if let matrix = config.matrix {
            let total = matrix.combinations.count * config.steps.count
            guard total <= limits.maxSteps else {
                throw reader.error(root, """
                    the matrix's \(matrix.combinations.count) combinations of \(config.steps.count) steps make \
                    \(total) steps, over the limit of \(limits.maxSteps); use fewer combinations or steps
                    """)
            }
        }
        return config
    }

    /// A pipeline name ends up in the commit status context `flowforge/<name>/<event>`, so it is kept to
    /// characters every forge shows as written, and without `/`, which would read as another level.
    private static func name(_ node: Node, reader: ConfigReader) throws(ConfigError) -> String {
        let name = try reader.string(node, path: "name")
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_. ".unicodeScalars.contains($0)) }
        guard !name.trimmingWhitespace().isEmpty, name.count <= maxNameLength, allowed else {
            throw reader.error(node, """
                name must be 1 to \(maxNameLength) letters, digits, spaces, `-`, `_` or `.` (it becomes the commit \
                status context flowforge/<name>), not \(name.debugDescription)
                """)
        }
        return name
    }
}
