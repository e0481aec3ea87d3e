import FlowForgeCore
import Testing

@Suite struct GlobTests {
    @Test(arguments: [
        ("main", "main", true), ("main", "mainline", false), ("main", "xmain", false),
        ("release/*", "release/1.0", true), ("release/*", "release/1.0/hotfix", false), ("release/*", "release/", true),
        ("release/**", "release/1.0/hotfix", true), ("**", "a/b/c", true), ("*", "a/b", false), ("*", "feature", true),
        ("v?.?", "v1.2", true), ("v?.?", "v1.23", false), ("a?b", "a/b", false),
        ("feat-*-x", "feat-123-x", true), ("feat-*-x", "feat--x", true), ("feat-*-x", "feat-1-y", false),
        ("**/fix", "team/a/fix", true), ("**/fix", "fix", false), ("", "", true), ("", "x", false),
        ("ü*", "über", true),
    ])
    func matching(pattern: String, value: String, expected: Bool) {
        #expect(Glob.matches(pattern, value) == expected)
    }

    @Test func manyStarsDoNotBacktrackExponentially() {
        // A naive backtracking matcher takes exponential time on this; the DP answers at once.
        let pattern = String(repeating: "*a", count: 40) + "b"
        let value = String(repeating: "a", count: 200)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!Glob.matches(pattern, value)) }
        #expect(elapsed < .seconds(1))
    }
}
