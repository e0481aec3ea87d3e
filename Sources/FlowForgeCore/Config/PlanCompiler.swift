/// Turns a `PipelineConfig` and a trigger into the `Plan` a backend runs. Pure and deterministic.
public enum PlanCompiler {
    /// Compiles `config` for `context`.
    ///
    /// Returns `.skipped` when the pipeline's `when` does not match, or when no step's `when` does.
    /// Otherwise `.run` with the matching steps in dependency order: file order wherever dependencies
    /// allow. A dependency on a step left out by its `when` counts as satisfied and is dropped from
    /// `dependsOn`. Images resolve step → pipeline `image` → `defaultImage`; env merges pipeline under step.
    /// Throws for what a hand-built config could still get wrong: unknown dependencies, cycles, no image,
    /// an image that is not a valid reference (it reaches Docker Engine API paths).
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
        let names = Set(selected.map(\.name))
        var planSteps: [PlanStep] = []
        for step in topologicalOrder(selected) {
            if step.image == "" || config.image == "" {
                throw ConfigError(file: "flowforge.yml", line: step.line, message: """
                    step `\(step.name)`: image is empty; name an image (like alpine:3.20), or remove `image:` to use the default
                    """)
            }
            guard let image = [step.image, config.image, defaultImage].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
                throw ConfigError(file: "flowforge.yml", line: step.line, message: """
                    step `\(step.name)` has no image; set `image:` on the step or at the top of the file
                    """)
            }
            do {
                _ = try ImageReference.parse(image)
            } catch {
                throw ConfigError(file: "flowforge.yml", line: step.line, message: """
                    step `\(step.name)`: image `\(image)` is not a valid image reference: \(error.reason); \
                    write it like alpine:3.20 or registry.example.com/team/tool:1.2
                    """)
            }
            planSteps.append(PlanStep(
                name: step.name, image: image, commands: step.commands,
                environment: config.environment.merging(step.environment) { _, stepValue in stepValue },
                timeoutSeconds: step.timeoutSeconds,
                dependsOn: step.dependsOn.filter(names.contains),
                secrets: step.secrets, imagePullSecret: step.imagePullSecret ?? config.imagePullSecret))
        }
        return .run(Plan(steps: planSteps))
    }

    /// The v1 API's `commands` form: one step named "run" in `image`.
    public static func commandsPlan(commands: [String], image: String, environment: [String: String]) -> Plan {
        Plan(steps: [PlanStep(name: "run", image: image, commands: commands, environment: environment)])
    }

    /// Kahn's algorithm, always taking the earliest step in file order whose dependencies are done, so
    /// the order is stable and as close to the file as the dependencies allow. Dependencies on steps
    /// not in `steps` are ignored. Assumes no cycle (validated before).
    static func topologicalOrder(_ steps: [StepConfig]) -> [StepConfig] {
        let present = Set(steps.map(\.name))
        var done = Set<String>()
        var remaining = steps
        var ordered: [StepConfig] = []
        while let index = remaining.firstIndex(where: { step in
            step.dependsOn.allSatisfy { !present.contains($0) || done.contains($0) }
        }) {
            let step = remaining.remove(at: index)
            done.insert(step.name)
            ordered.append(step)
        }
        return ordered
    }
}
