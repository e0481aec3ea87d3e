/// Turns a `PipelineConfig` and a trigger into the `Plan` a backend runs. Pure and deterministic.
public enum PlanCompiler {
    /// Compiles `config` for `context`.
    ///
    /// Returns `.skipped` when the pipeline's `when` does not match, or when no step's `when` does.
    /// Otherwise `.run` with the matching steps in dependency order: file order wherever dependencies
    /// allow. A step without `depends_on` depends on the step before it in the file. A dependency on a step
    /// left out by its `when` is replaced by that step's own dependencies, so the order around it holds.
    /// With a `matrix`, the steps are repeated once per combination, named `name (KEY=value, …)`, each
    /// combination's steps depending only on each other, with the values in their environment (over the
    /// pipeline's `env`, under the step's) and in `${KEY}` of their image.
    /// Images resolve step → pipeline `image` → `defaultImage`; env merges pipeline under step. An `image:`
    /// naming a Dockerfile (`{dockerfile: path}`) gives the step that `dockerfile` and an empty image,
    /// which the server fills with the image it builds. Services come along as they are (see
    /// `services(of:)`); a skipped pipeline starts none.
    /// Throws for what a hand-built config could still get wrong: unknown dependencies, cycles, no image,
    /// an image that is not a valid reference (it reaches Docker Engine API paths), and an image of the
    /// file's with neither tag nor digest (FlowForge does not guess `:latest`).
    public static func compile(
        _ config: PipelineConfig, context: TriggerContext, defaultImage: String
    ) throws(ConfigError) -> PlanOutcome {
        try PipelineConfigValidator.validate(config, file: "flowforge.yml")
        let trigger = "event `\(context.event)` on \(context.event == "tag" ? "tag" : "branch") `\(context.branch)`"
        if let when = config.when, !when.matches(context) {
            return .skipped(reason: "the pipeline's `when` does not match \(trigger)")
        }
        let selected = config.steps.filter { $0.when?.matches(context) ?? true }
        guard !selected.isEmpty else {
            return .skipped(reason: "no step's `when` matches \(trigger)")
        }
        let dependencies = contracted(PipelineConfigValidator.resolvedDependencies(config.steps), keeping: Set(selected.map(\.name)))
        let ordered = topologicalOrder(selected, dependencies: dependencies)
        let combinations = config.matrix?.combinations ?? [[]]
        var planSteps: [PlanStep] = []
        for combination in combinations {
            let rename = { (name: String) in Matrix.stepName(name, combination) }
            let matrixEnvironment = Dictionary(combination.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
            for step in ordered {
                // The nearest `image:` wins, whether it names an image or a Dockerfile to build.
                let dockerfile = step.image == nil ? step.dockerfile ?? (config.image == nil ? config.dockerfile : nil) : nil
                let image = try dockerfile == nil ? image(of: step, in: config, defaultImage: defaultImage, substituting: matrixEnvironment) : ""
                var planStep = PlanStep(
                    name: rename(step.name), image: image, commands: step.commands,
                    environment: config.environment.merging(matrixEnvironment) { _, new in new }
                        .merging(step.environment) { _, stepValue in stepValue },
                    timeoutSeconds: step.timeoutSeconds,
                    dependsOn: (dependencies[step.name] ?? []).map(rename),
                    ignoreFailure: step.ignoreFailure,
                    runsOn: Set((step.when?.status ?? []).compactMap(StepCondition.init(rawValue:))).nonEmpty ?? [.success],
                    secrets: step.secrets, imagePullSecret: dockerfile != nil ? nil : step.imagePullSecret ?? config.imagePullSecret,
                    dockerfile: dockerfile)
                planStep.artifacts = step.artifacts
                planSteps.append(planStep)
            }
        }
        return .run(Plan(name: config.name ?? PipelineConfig.defaultName, steps: planSteps, services: try services(of: config), cache: config.cache))
    }

    /// The v1 API's `commands` form: one step named "run" in `image`.
    /// With `dockerfile`, the step runs in the image built from that Dockerfile of the workspace (`image` unused).
    public static func commandsPlan(commands: [String], image: String, environment: [String: String], dockerfile: String? = nil) -> Plan {
        Plan(steps: [PlanStep(name: "run", image: dockerfile == nil ? image : "", commands: commands, environment: environment, dockerfile: dockerfile)])
    }

    private static func image(
        of step: StepConfig, in config: PipelineConfig, defaultImage: String, substituting variables: [String: String]
    ) throws(ConfigError) -> String {
        if step.image == "" || config.image == "" {
            throw ConfigError(file: "flowforge.yml", line: step.line, column: step.column, message: """
                step `\(step.name)`: image is empty; name an image (like alpine:3.20), or remove `image:` to use the default
                """)
        }
        let written = [step.image, config.image].compactMap { $0 }.first.map { substitute($0, variables) }
        guard let image = written ?? (defaultImage.isEmpty ? nil : defaultImage) else {
            throw ConfigError(file: "flowforge.yml", line: step.line, column: step.column, message: """
                step `\(step.name)` has no image; set `image:` on the step or at the top of the file
                """)
        }
        let reference: ImageReference
        do {
            reference = try ImageReference.parse(image)
        } catch {
            throw ConfigError(file: "flowforge.yml", line: step.line, column: step.column, message: """
                step `\(step.name)`: image `\(image)` is not a valid image reference: \(error.reason); \
                write it like alpine:3.20 or registry.example.com/team/tool:1.2
                """)
        }
        // The operator's default image is theirs to choose; one the file names must say which version, so
        // that a build does not change under the user when `latest` moves.
        if written != nil, reference.tag == nil, reference.digest == nil {
            throw ConfigError(file: "flowforge.yml", line: step.line, column: step.column, message: """
                step `\(step.name)`: image `\(image)` has no tag; name the version to run, like \(image):1.2 \
                (or pin a digest with @sha256:…); FlowForge does not assume :latest
                """)
        }
        return image
    }

    /// `${KEY}` in an image replaced by a matrix value; other text is left as written.
    static func substitute(_ text: String, _ variables: [String: String]) -> String {
        var result = text
        for (key, value) in variables {
            result = result.replacing("${\(key)}", with: value)
        }
        return result
    }

    /// The dependencies of the steps in `keeping`, with each dependency on a step outside it replaced by
    /// that step's own dependencies, transitively. Assumes no cycle (validated before).
    static func contracted(_ dependencies: [String: [String]], keeping: Set<String>) -> [String: [String]] {
        var memo: [String: [String]] = [:]
        func kept(_ name: String) -> [String] {
            if keeping.contains(name) { return [name] }
            if let known = memo[name] { return known }
            var result: [String] = []
            for dependency in dependencies[name] ?? [] {
                for item in kept(dependency) where !result.contains(item) { result.append(item) }
            }
            memo[name] = result
            return result
        }
        var result: [String: [String]] = [:]
        for name in keeping {
            var list: [String] = []
            for dependency in dependencies[name] ?? [] {
                for item in kept(dependency) where !list.contains(item) { list.append(item) }
            }
            result[name] = list
        }
        return result
    }

    /// Kahn's algorithm, always taking the earliest step in file order whose dependencies are done, so
    /// the order is stable and as close to the file as the dependencies allow. Assumes no cycle.
    static func topologicalOrder(_ steps: [StepConfig], dependencies: [String: [String]]) -> [StepConfig] {
        var done = Set<String>()
        var remaining = steps
        var ordered: [StepConfig] = []
        while let index = remaining.firstIndex(where: { step in
            (dependencies[step.name] ?? []).allSatisfy(done.contains)
        }) {
            let step = remaining.remove(at: index)
            done.insert(step.name)
            ordered.append(step)
        }
        return ordered
    }
}

extension Set {
    /// Nil for an empty set, so that `?? default` can stand in for it.
    var nonEmpty: Set? { isEmpty ? nil : self }
}
