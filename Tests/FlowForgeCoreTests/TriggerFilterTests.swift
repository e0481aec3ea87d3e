import FlowForgeCore
import Testing

@Suite struct TriggerFilterTests {
    @Test func pullRequestsMatchTheTargetBranch() throws {
        let config = try PipelineConfigParser.parse("when: { branch: main }\nsteps:\n  - { name: a, commands: [x] }\n")
        let intoMain = TriggerContext(event: "pull_request", branch: "feature/x", targetBranch: "main")
        let intoDev = TriggerContext(event: "pull_request", branch: "main", targetBranch: "dev")
        #expect(config.when?.matches(intoMain) == true)
        #expect(config.when?.matches(intoDev) == false)
    }

    @Test func pathFiltersMatchChangedFiles() throws {
        let config = try PipelineConfigParser.parse("""
            when: { path: { include: ["src/**", "*.swift"], exclude: ["**/*.md"] } }
            steps:
              - { name: a, commands: [x] }
            """)
        let when = try #require(config.when)
        #expect(when.matches(TriggerContext(event: "push", branch: "m", changedFiles: ["docs/a.md", "src/x/y.c"])))
        #expect(when.matches(TriggerContext(event: "push", branch: "m", changedFiles: ["Package.swift"])))
        #expect(!when.matches(TriggerContext(event: "push", branch: "m", changedFiles: ["src/README.md", "docs/x"])))
        #expect(!when.matches(TriggerContext(event: "push", branch: "m", changedFiles: [])))
        // Unknown changes (a manual or API run): the filter does not hold the pipeline back.
        #expect(when.matches(TriggerContext(event: "manual", branch: "m")))
    }

    @Test func manualAndTagAreEvents() throws {
        let config = try PipelineConfigParser.parse("when: { event: [manual, tag] }\nsteps:\n  - { name: a, commands: [x] }\n")
        #expect(config.when?.matches(TriggerContext(event: "manual", branch: "main")) == true)
        #expect(config.when?.matches(TriggerContext(event: "tag", branch: "v1")) == true)
        #expect(config.when?.matches(TriggerContext(event: "push", branch: "main")) == false)
    }
}
