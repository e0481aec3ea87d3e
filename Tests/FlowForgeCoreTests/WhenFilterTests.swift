import FlowForgeCore
import Testing

@Suite struct WhenFilterTests {
    @Test func absentFiltersMatchEverything() {
        #expect(WhenCondition().matches(TriggerContext(event: "manual", branch: "anything/at/all")))
    }

    @Test func includeAndExclude() {
        let filter = GlobFilter(include: ["release/*", "main"], exclude: ["release/old*"])
        #expect(filter.matches("main", using: Glob.matches))
        #expect(filter.matches("release/2.0", using: Glob.matches))
        #expect(!filter.matches("release/old-1", using: Glob.matches))
        #expect(!filter.matches("feature/x", using: Glob.matches))
        let excludeOnly = GlobFilter(exclude: ["wip/*"])
        #expect(excludeOnly.matches("feature/x", using: Glob.matches))
        #expect(!excludeOnly.matches("wip/x", using: Glob.matches))
    }

    @Test func eventsMatchExactly() throws {
        let config = try PipelineConfigParser.parse("""
            steps:
              - name: a
                commands: [x]
                when: { event: {exclude: [pull_request]}, branch: "v*" }
            """)
        let when = try #require(config.steps[0].when)
        #expect(when.matches(TriggerContext(event: "tag", branch: "v1.0")))
        #expect(!when.matches(TriggerContext(event: "pull_request", branch: "v1.0")))
        #expect(!when.matches(TriggerContext(event: "tag", branch: "1.0")))
    }

    @Test func singleStringFilters() throws {
        let config = try PipelineConfigParser.parse("when: {branch: main, event: api}\nsteps: {a: {commands: [x]}}\n")
        let when = try #require(config.when)
        #expect(when.matches(TriggerContext(event: "api", branch: "main")))
        #expect(!when.matches(TriggerContext(event: "push", branch: "main")))
        #expect(!when.matches(TriggerContext(event: "api", branch: "dev")))
    }
}
