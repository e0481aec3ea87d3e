import Foundation
import FlowForgeCore
import Testing

@Suite struct PlanCompilerTests {
    @Test func orderIsTopologicalAndOtherwiseFileOrder() throws {
        let result = try plan("""
            steps:
              - name: deploy
                commands: [d]
                depends_on: [test, build]
              - name: test
                commands: [t]
                depends_on: build
              - name: lint
                commands: [l]
                depends_on: []
              - name: build
                commands: [b]
                depends_on: []
            """, push)
        #expect(result.steps.map(\.name) == ["lint", "build", "test", "deploy"])
        #expect(result.steps[3].dependsOn == ["test", "build"])
    }

    @Test func independentStepsKeepFileOrder() throws {
        let result = try plan("steps: {c: {commands: [x]}, a: {commands: [x]}, b: {commands: [x]}}\n", push)
        #expect(result.steps.map(\.name) == ["c", "a", "b"])
    }

    @Test func imagesAndEnvironmentResolve() throws {
        let text = """
            env: { SHARED: pipeline, ONLY_PIPELINE: "1" }
            steps:
              - name: a
                image: step:1
                env: { SHARED: step }
                commands: [x]
                timeout: 90s
              - name: b
                commands: [y]
            """
        let withTop = try plan("image: top:1\n" + text, push)
        #expect(withTop.steps[0] == PlanStep(
            name: "a", image: "step:1", commands: ["x"], environment: ["SHARED": "step", "ONLY_PIPELINE": "1"],
            timeoutSeconds: 90, dependsOn: []))
        #expect(withTop.steps[1].image == "top:1")
        #expect(withTop.steps[1].environment == ["SHARED": "pipeline", "ONLY_PIPELINE": "1"])
        #expect(try plan(text, push, defaultImage: "server:1").steps[1].image == "server:1")
    }

    @Test func missingImageEverywhereIsAnError() throws {
        let config = try PipelineConfigParser.parse("steps:\n  - name: a\n    commands: [x]\n")
        #expect(throws: ConfigError.self) { try PlanCompiler.compile(config, context: push, defaultImage: "") }
    }

    @Test func leftOutDependencyCountsAsSatisfied() throws {
        let text = """
            steps:
              - name: build
                commands: [b]
                when: { event: push }
              - name: test
                commands: [t]
                depends_on: [build]
            """
        let onPush = try plan(text, push)
        #expect(onPush.steps.map(\.name) == ["build", "test"])
        #expect(onPush.steps[1].dependsOn == ["build"])
        let onPR = try plan(text, TriggerContext(event: "pull_request", branch: "feature/x"))
        #expect(onPR.steps.map(\.name) == ["test"])
        #expect(onPR.steps[0].dependsOn == [])
    }

    @Test func pipelineWhenSkipsEverything() throws {
        let config = try PipelineConfigParser.parse("""
            when: { branch: [main, "release/*"] }
            steps: { a: { commands: [x] } }
            """)
        let outcome = try PlanCompiler.compile(config, context: TriggerContext(event: "push", branch: "dev"), defaultImage: "i")
        #expect(outcome == .skipped(reason: "the pipeline's `when` does not match event `push` on branch `dev`"))
        let release = try PlanCompiler.compile(config, context: TriggerContext(event: "push", branch: "release/1"), defaultImage: "i")
        #expect(release != .skipped(reason: "the pipeline's `when` does not match event `push` on branch `release/1`"))
    }

    @Test func noMatchingStepSkipsWithReason() throws {
        let config = try PipelineConfigParser.parse("steps: { a: { commands: [x], when: { event: tag } } }")
        let outcome = try PlanCompiler.compile(config, context: push, defaultImage: "i")
        #expect(outcome == .skipped(reason: "no step's `when` matches event `push` on branch `main`"))
        let tagged = try PlanCompiler.compile(config, context: TriggerContext(event: "tag", branch: "v1"), defaultImage: "i")
        guard case .run(let plan) = tagged else { Issue.record("expected a plan for a tag"); return }
        #expect(plan.steps.map(\.name) == ["a"])
    }

    @Test func handBuiltCycleIsRejected() {
        let config = PipelineConfig(steps: [
            StepConfig(name: "a", commands: ["x"], dependsOn: ["b"]),
            StepConfig(name: "b", commands: ["x"], dependsOn: ["a"]),
        ])
        #expect(throws: ConfigError.self) { try PlanCompiler.compile(config, context: push, defaultImage: "i") }
    }

    @Test func commandsPlanAndCodableRoundTrip() throws {
        let plan = PlanCompiler.commandsPlan(commands: ["make", "make test"], image: "gcc:14", environment: ["A": "1"])
        #expect(plan == Plan(steps: [PlanStep(name: "run", image: "gcc:14", commands: ["make", "make test"], environment: ["A": "1"])]))
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
    }
}
