import FlowForgeCore
import Testing

@Suite struct MatrixCompileTests {
    static let twoByTwo = """
        name: tests
        matrix:
          GO: ["1.21", "1.22"]
          DB: [pg, mysql]
        env: { DB: overridden, SHARED: "1" }
        steps:
          - name: build
            image: "golang:${GO}"
            commands: [go build]
          - name: test
            image: alpine:3.20
            commands: [go test]
            env: { SHARED: step }
        """

    @Test func twoByTwoExpandsToFourChains() throws {
        let result = try plan(Self.twoByTwo, push)
        #expect(result.name == "tests")
        #expect(result.steps.map(\.name) == [
            "build (GO=1.21, DB=pg)", "test (GO=1.21, DB=pg)",
            "build (GO=1.21, DB=mysql)", "test (GO=1.21, DB=mysql)",
            "build (GO=1.22, DB=pg)", "test (GO=1.22, DB=pg)",
            "build (GO=1.22, DB=mysql)", "test (GO=1.22, DB=mysql)",
        ])
        #expect(result.steps[0].dependsOn == [])
        #expect(result.steps[3].dependsOn == ["build (GO=1.21, DB=mysql)"])
        #expect(result.steps[2].image == "golang:1.21")
        #expect(result.steps[3].environment == ["GO": "1.21", "DB": "mysql", "SHARED": "step"])
    }

    @Test func includeAddsCombinations() throws {
        let result = try plan("""
            matrix:
              OS: [linux]
              include:
                - { OS: linux }
                - { OS: plan9, EXTRA: "yes" }
            steps:
              - { name: a, commands: [x] }
            """, push)
        #expect(result.steps.map(\.name) == ["a (OS=linux)", "a (OS=plan9, EXTRA=yes)"])
        #expect(result.steps[1].environment == ["OS": "plan9", "EXTRA": "yes"])
    }

    @Test func tooManyCombinationsAndBadKeysAreErrors() throws {
        let big = try #require(parseError("""
            matrix: { A: [1, 2, 3, 4], B: [1, 2, 3, 4], C: [1, 2, 3] }
            steps:
              - { name: a, commands: [x] }
            """))
        #expect(big.message.contains("48 combinations, over the limit of 32"), "\(big)")
        let key = try #require(parseError("matrix: { 1GO: [a] }\nsteps:\n  - { name: a, commands: [x] }\n"))
        #expect(key.message.contains("invalid variable name `1GO`"), "\(key)")
    }
}
