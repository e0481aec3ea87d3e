import Foundation
import FlowForgeCore
import Testing

@Suite struct LimitTests {
    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
        steps: { a: { commands: *i } }
        """

    @Test func billionLaughsIsRejectedQuickly() throws {
        let clock = ContinuousClock()
        var error: ConfigError?
        let elapsed = clock.measure { error = parseError(Self.billionLaughs) }
        let found = try #require(error)
        #expect(found.message.contains("more than 100000 YAML nodes"))
        #expect(found.line == 6)  // the alias that pushes the expansion over the bound
        #expect(elapsed < .milliseconds(500))
    }

    /// Yams hashes mapping keys to find duplicates; an aliased key would make that hash walk the expansion.
    @Test func billionLaughsAsAMappingKeyIsRejectedQuickly() throws {
        let text = Self.billionLaughs.replacingOccurrences(of: "steps: { a: { commands: *i } }", with: "? *i\n: x")
        let clock = ContinuousClock()
        var error: ConfigError?
        let elapsed = clock.measure { error = parseError(text) }
        #expect(try #require(error).message.contains("more than 100000 YAML nodes"))
        #expect(elapsed < .milliseconds(500))
    }

    @Test func aliasCountIsLimited() throws {
        let uses = (1...101).map { _ in "*c" }.joined(separator: ", ")
        let text = "x: &c make\nsteps:\n  a:\n    commands: [\(uses)]\n"
        let error = try #require(parseError(text))
        #expect(error.line == 4)
        #expect(error.message.hasPrefix("too many aliases: *c is alias number 101, and at most 100 are allowed"))
        #expect(throws: Never.self) { try PipelineConfigParser.parse(text.replacingOccurrences(of: "x: &c make\n", with: "").replacingOccurrences(of: "*c", with: "make")) }
    }

    @Test func sizeIsCheckedBeforeParsing() throws {
        let text = "steps: [" + String(repeating: " ", count: 300) // not even valid YAML
        let error = try #require(parseError(text, limits: ConfigLimits(maxBytes: 100)))
        #expect(error.line == nil)
        #expect(error.message.hasPrefix("the file is 308 bytes, over the limit of 100 bytes"))
    }

    @Test func stepCountIsLimited() throws {
        let steps = (1...4).map { "  - name: s\($0)\n    commands: [x]\n" }.joined()
        let error = try #require(parseError("steps:\n" + steps, limits: ConfigLimits(maxSteps: 3)))
        #expect(error.line == 2)
        #expect(error.message == "steps has 4 steps, over the limit of 3; merge some")
        #expect(try PipelineConfigParser.parse("steps:\n" + steps, limits: ConfigLimits(maxSteps: 4)).steps.count == 4)
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let text = "steps: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let error = try #require(parseError(text))
        #expect(error.message.contains("invalid YAML"))
        #expect(error.line == 1)
    }
}

@Suite struct NestingTests {
    /// libyaml allows up to 1000 levels; Yams composes them recursively, so the deepest legal document
    /// must still be handled on a test (cooperative pool) thread's stack.
    @Test func deepestLegalNestingIsHandled() throws {
        let text = "steps: " + String(repeating: "[", count: 990) + String(repeating: "]", count: 990)
        let error = try #require(parseError(text))
        #expect(error.line == 1)
        #expect(error.message == "steps[0] must be a mapping (`key: value` lines), not a list")
    }
}
