import FlowForgeCore
import Foundation
import Testing

/// Keeps `docs/flowforge-yml.md` honest: every complete example in it must parse and compile.
@Suite struct DocsExamplesTests {
    static func examples() throws -> [String] {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/flowforge-yml.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        return text.components(separatedBy: "```yaml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }
            .filter { $0.contains("steps:") }  // the others are fragments showing one key
    }

    @Test func everyCompleteExampleParsesAndCompiles() throws {
        let examples = try Self.examples()
        #expect(examples.count >= 5)
        for example in examples {
            let config = try PipelineConfigParser.parse(example)
            let outcome = try PlanCompiler.compile(config, context: TriggerContext(event: "push", branch: "main"), defaultImage: "d")
            if case .run(let plan) = outcome { #expect(!plan.steps.isEmpty) }
        }
    }

    @Test func goExampleCompilesAsDocumented() throws {
        let go = try #require(try Self.examples().first { $0.contains("golang:1.22") })
        let config = try PipelineConfigParser.parse(go)
        let onMain = try PlanCompiler.compile(config, context: TriggerContext(event: "push", branch: "main"), defaultImage: "d")
        guard case .run(let plan) = onMain else { Issue.record("expected a plan on main"); return }
        #expect(plan.steps.map(\.name) == ["lint", "test", "release"])
        #expect(plan.steps[1].environment == ["CGO_ENABLED": "0", "GOFLAGS": "-mod=vendor"])
        let onPR = try PlanCompiler.compile(config, context: TriggerContext(event: "pull_request", branch: "feature"), defaultImage: "d")
        guard case .run(let prPlan) = onPR else { Issue.record("expected a plan on a pull request"); return }
        #expect(prPlan.steps.map(\.name) == ["lint", "test"])
        let onTag = try PlanCompiler.compile(config, context: TriggerContext(event: "tag", branch: "v1"), defaultImage: "d")
        #expect(onTag == .skipped(reason: "the pipeline's `when` does not match event `tag` on tag `v1`"))
    }
}
