import FlowForgeCore
import Testing

@Suite struct ParserShapeTests {
    @Test func listOfStepsWithEveryKey() throws {
        let config = try PipelineConfigParser.parse("""
            image: alpine:3.20
            env: { CI_FLAG: 1, VERBOSE: true, RATIO: 1.50, NAME: "x y" }
            when:
              branch: [main, "release/*"]
              event: [push, pull_request]
            steps:
              - name: lint
                commands: golangci-lint run
              - name: build
                image: golang:1.22
                commands: [go build ./..., go test ./...]
                env: { GOFLAGS: -mod=vendor }
                timeout: 10m
                depends_on: [lint]
                when: { branch: {exclude: ["wip/*"]}, event: push }
            """)
        #expect(config.image == "alpine:3.20")
        #expect(config.environment == ["CI_FLAG": "1", "VERBOSE": "true", "RATIO": "1.50", "NAME": "x y"])
        #expect(config.when == WhenCondition(
            branch: GlobFilter(include: ["main", "release/*"]), event: GlobFilter(include: ["push", "pull_request"])))
        #expect(config.steps.map(\.name) == ["lint", "build"])
        #expect(config.steps[0].commands == ["golangci-lint run"])
        #expect(config.steps[0].line == 7)
        let build = config.steps[1]
        #expect(build.image == "golang:1.22")
        #expect(build.commands == ["go build ./...", "go test ./..."])
        #expect(build.environment == ["GOFLAGS": "-mod=vendor"])
        #expect(build.timeoutSeconds == 600)
        #expect(build.dependsOn == ["lint"])
        #expect(build.when == WhenCondition(branch: GlobFilter(exclude: ["wip/*"]), event: GlobFilter(include: ["push"])))
    }

    @Test func mappingOfStepsKeepsFileOrder() throws {
        let config = try PipelineConfigParser.parse("""
            steps:
              zeta:
                commands: [echo z]
              alpha:
                commands: echo a
                depends_on: zeta
              mid: { commands: [echo m] }
            """)
        #expect(config.steps.map(\.name) == ["zeta", "alpha", "mid"])
        #expect(config.steps[1].dependsOn == ["zeta"])
        #expect(config.steps.map(\.line) == [2, 4, 7])
    }

    @Test func blockScalarCommandKeepsItsLines() throws {
        let config = try PipelineConfigParser.parse("""
            steps:
              - name: multi
                commands:
                  - |
                    for f in a b; do
                      echo "$f"
                    done
            """)
        #expect(config.steps[0].commands == ["for f in a b; do\n  echo \"$f\"\ndone"])
    }

    @Test(arguments: [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1h30m15s", 5415), ("2h", 7200)])
    func timeouts(text: String, seconds: Int) throws {
        let config = try PipelineConfigParser.parse("steps:\n  - name: a\n    commands: [x]\n    timeout: \(text)\n")
        #expect(config.steps[0].timeoutSeconds == seconds)
    }

    @Test func anchorsWithinLimitsAreExpanded() throws {
        let config = try PipelineConfigParser.parse("""
            env: &common { A: "1" }
            steps:
              - name: a
                env: *common
                commands: &cmds [make]
              - name: b
                commands: *cmds
            """)
        #expect(config.steps[0].environment == ["A": "1"])
        #expect(config.steps[1].commands == ["make"])
    }

    @Test func emptyWhenMatchesEverything() throws {
        let config = try PipelineConfigParser.parse("when: {}\nsteps:\n  - name: a\n    commands: [x]\n")
        #expect(config.when == WhenCondition())
        #expect(config.when?.matches(TriggerContext(event: "tag", branch: "v1")) == true)
    }
}
