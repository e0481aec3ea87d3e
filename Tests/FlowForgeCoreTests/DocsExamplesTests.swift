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

    static func example(containing text: String) throws -> Plan {
        let example = try #require(try examples().first { $0.contains(text) }, "no example with \(text)")
        let outcome = try PlanCompiler.compile(try PipelineConfigParser.parse(example), context: TriggerContext(event: "push", branch: "main"), defaultImage: "d")
        guard case .run(let plan) = outcome else { throw ConfigError(file: "docs", line: nil, message: "skipped") }
        return plan
    }

    @Test func dependsOnExampleIsTheDocumentedGraph() throws {
        let plan = try Self.example(containing: "name: package")
        #expect(plan.steps.map(\.name) == ["deps", "unit", "lint", "docs", "package"])
        #expect(plan.steps.map(\.dependsOn) == [[], ["deps"], ["deps"], [], ["unit", "lint"]])
    }

    @Test func failureExampleIgnoresAndRunsOnFailure() throws {
        let plan = try Self.example(containing: "name: tell-the-team")
        #expect(plan.steps.map(\.ignoreFailure) == [true, false, false, false, false])
        #expect(plan.steps.map(\.runsOn) == [[.success], [.success], [.success], [.failure], [.success, .failure]])
    }

    @Test func matrixExampleHasFiveCombinations() throws {
        let plan = try Self.example(containing: "matrix:")
        #expect(plan.name == "tests")
        #expect(plan.steps.map(\.name) == [
            "test (GO=1.21, DB=postgres)", "test (GO=1.21, DB=sqlite)", "test (GO=1.22, DB=postgres)",
            "test (GO=1.22, DB=sqlite)", "test (GO=1.23, DB=sqlite)",
        ])
        #expect(plan.steps.map(\.image) == ["golang:1.21", "golang:1.21", "golang:1.22", "golang:1.22", "golang:1.23"])
    }

    @Test func nameAndPathExamples() throws {
        #expect(try Self.example(containing: "name: lint\nsteps:").name == "lint")
        let when = try PipelineConfigParser.parse("when:\n  path: { include: [\"src/**\", \"go.mod\"], exclude: [\"**/*.md\"] }\nsteps: [{name: a, commands: [x]}]\n").when
        #expect(when?.matches(TriggerContext(event: "push", branch: "main", changedFiles: ["go.mod"])) == true)
        #expect(when?.matches(TriggerContext(event: "push", branch: "main", changedFiles: ["src/README.md"])) == false)
    }
}
