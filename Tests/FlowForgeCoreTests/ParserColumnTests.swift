import FlowForgeCore
import Testing

/// The column beside the line, for `flowforge lint`'s `file:line:column:`: where the offending node starts.
@Suite struct ParserColumnTests {
    static func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try PipelineConfigParser.parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        // An unknown key: the key itself.
        ("steps:\n  - name: a\n    commands: [x]\n    imgae: alpine:3.20\n", 4, 5),
        // A wrong value: the value, after the key.
        ("steps:\n  a:\n    commands: [x]\n    timeout: 10 minutes\n", 4, 14),
        // An unknown dependency: the `depends_on` value.
        ("steps:\n  a: {commands: [x]}\n  b: {commands: [x], depends_on: [aa]}\n", 3, 34),
        // A tab in the indentation: where the tab is.
        ("steps:\n  - name: a\n  \tcommands: [x]\n", 3, 3),
        // Invalid YAML: where libyaml stopped.
        ("steps:\n  - name: a\n    commands: [x\n", 4, 1),
    ])
    func theColumnIsWhereTheProblemStarts(yaml: String, line: Int, column: Int) throws {
        let error = try #require(Self.error(yaml))
        #expect(error.line == line, "\(error)")
        #expect(error.column == column, "\(error)")
        #expect(error.locatedDescription.hasPrefix("flowforge.yml:\(line):\(column): "), "\(error.locatedDescription)")
    }

    @Test func aProblemOfTheWholeFileHasNoColumnAndIsPlacedAtTheStart() throws {
        let error = try #require(Self.error("# nothing here\n"))
        #expect(error.line == nil && error.column == nil)
        #expect(error.locatedDescription == "flowforge.yml:1:1: the file is empty; it needs at least a `steps:` list")
        // The server's messages keep their `file:line:` form.
        #expect(Self.error("steps: make\n")?.description.hasPrefix("flowforge.yml:1: steps must be") == true)
    }
}
