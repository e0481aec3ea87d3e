import FlowForgeCore
import Testing

/// `depends_on`, `failure` and `when.status`: the graph the Plan carries.
@Suite struct DAGCompileTests {
    @Test func absentDependsOnMeansTheStepBefore() throws {
        let result = try plan("""
            steps:
              - { name: a, commands: [x] }
              - { name: b, commands: [x] }
              - { name: c, commands: [x], depends_on: [] }
              - { name: d, commands: [x], depends_on: [a, c] }
              - { name: e, commands: [x] }
            """, push)
        #expect(result.steps.map(\.name) == ["a", "b", "c", "d", "e"])
        #expect(result.steps.map(\.dependsOn) == [[], ["a"], [], ["a", "c"], ["d"]])
        #expect(result.upstream["e"] == ["d", "a", "c"])
    }

    @Test func aLeftOutStepPassesOnItsDependencies() throws {
        let result = try plan("""
            steps:
              - { name: a, commands: [x] }
              - { name: b, commands: [x], when: { event: tag } }
              - { name: c, commands: [x] }
            """, push)
        #expect(result.steps.map(\.dependsOn) == [[], ["a"]])
    }

    @Test func cycleThroughAnImplicitDependencyIsNamed() throws {
        let error = try #require(parseError("""
            steps:
              - { name: a, commands: [x], depends_on: [b] }
              - { name: b, commands: [x] }
            """))
        #expect(error.message.contains("cycle (a → b → a)"), "\(error)")
        #expect(error.line == 2)
    }

    @Test func explicitCycleAndUnknownNameAreNamed() throws {
        let cycle = try #require(parseError("""
            steps:
              - { name: a, commands: [x], depends_on: [c] }
              - { name: b, commands: [x], depends_on: [a] }
              - { name: c, commands: [x], depends_on: [b] }
            """))
        #expect(cycle.message.contains("a → c → b → a"), "\(cycle)")
        let unknown = try #require(parseError("steps:\n  - { name: a, commands: [x], depends_on: [buld] }\n  - { name: build, commands: [x] }\n"))
        #expect(unknown.message == "step `a` depends on `buld`, but no step has that name (did you mean `build`?)")
    }

    @Test func failureIgnoreAndWhenStatusReachThePlan() throws {
        let result = try plan("""
            steps:
              - { name: flaky, commands: [x], failure: ignore }
              - { name: test, commands: [x], failure: fail }
              - { name: notify, commands: [x], when: { status: [failure] } }
              - { name: cleanup, commands: [x], when: { status: [success, failure] } }
            """, push)
        #expect(result.steps.map(\.ignoreFailure) == [true, false, false, false])
        #expect(result.steps.map(\.runsOn) == [[.success], [.success], [.failure], [.success, .failure]])
    }

    @Test func badFailureAndStatusValuesAreErrors() throws {
        let failure = try #require(parseError("steps:\n  - { name: a, commands: [x], failure: skip }\n"))
        #expect(failure.message.contains("steps.a.failure must be `ignore`"), "\(failure)")
        let status = try #require(parseError("steps:\n  - { name: a, commands: [x], when: { status: [failed] } }\n"))
        #expect(status.message.contains("unknown state `failed`"), "\(status)")
        let topLevel = try #require(parseError("when: { status: failure }\nsteps:\n  - { name: a, commands: [x] }\n"))
        #expect(topLevel.message.contains("unknown key `status`"), "\(topLevel)")
    }
}
