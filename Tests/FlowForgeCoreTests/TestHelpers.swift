import FlowForgeCore
import Testing

/// The `ConfigError` that parsing `text` throws; records a test failure if it parses.
func parseError(_ text: String, limits: ConfigLimits = .default) -> ConfigError? {
    do {
        let config = try PipelineConfigParser.parse(text, limits: limits)
        Issue.record("expected an error, but parsed: \(config)")
        return nil
    } catch {
        return error
    }
}

/// The plan `text` compiles to for `context`; records a test failure if it is skipped.
func plan(_ text: String, _ context: TriggerContext, defaultImage: String = "default:1") throws -> Plan {
    let config = try PipelineConfigParser.parse(text)
    switch try PlanCompiler.compile(config, context: context, defaultImage: defaultImage) {
    case .run(let plan):
        return plan
    case .skipped(let reason):
        Issue.record("expected a plan, but skipped: \(reason)")
        return Plan(steps: [])
    }
}

let push = TriggerContext(event: "push", branch: "main")
