import FlowForgeCore
import Testing

@Suite struct ParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let yaml: String
        let line: Int?
        let message: String
        var testDescription: String { message }
    }

    static let cases: [Case] = [
        Case(yaml: "steps:\n  - name: a\n    commands: [x\n", line: 4, message: "invalid YAML:"),
        Case(yaml: "stpes:\n  - name: a\n", line: 1,
             message: "the top level has an unknown key `stpes` (did you mean `steps`?); known keys are: cache, env, image, image_pull_secret, matrix, name, services, steps, when"),
        Case(yaml: "steps:\n  - name: a\n    imgae: x\n    commands: [x]\n", line: 3,
             message: "steps.a has an unknown key `imgae` (did you mean `image`?)"),
        Case(yaml: "steps:\n  - name: build\n    commands: [x]\n    image: [a, b]\n", line: 4,
             message: "steps.build.image must be a string, not a list"),
        Case(yaml: "steps:\n  - name: a\n    image: x\n", line: 2, message: "steps.a has no `commands`"),
        Case(yaml: "steps:\n  - name: a\n    commands: []\n", line: 3, message: "steps.a.commands is empty"),
        Case(yaml: "steps:\n  - name: a\n    commands: [x, \" \"]\n", line: 3, message: "steps.a.commands[1] is an empty command"),
        Case(yaml: "steps:\n  - commands: [x]\n", line: 2, message: "steps[0] has no `name`"),
        Case(yaml: "steps:\n  - name: a\n    commands: [x]\n  - name: a\n    commands: [y]\n", line: 4,
             message: "two steps are named `a`"),
        Case(yaml: "steps:\n  - name: \(String(repeating: "n", count: 101))\n    commands: [x]\n", line: 2,
             message: "characters long; the limit is 100"),
        Case(yaml: "steps:\n  - name: \"\"\n    commands: [x]\n", line: 2, message: "a step has an empty name"),
        Case(yaml: "env:\n  1BAD: x\nsteps: {a: {commands: [x]}}\n", line: 2,
             message: "env has an invalid variable name `1BAD`"),
        Case(yaml: "env:\n  EMPTY:\nsteps: {a: {commands: [x]}}\n", line: 2, message: "env.EMPTY has no value"),
        Case(yaml: "steps:\n  a:\n    commands: [x]\n    timeout: 10 minutes\n", line: 4,
             message: "steps.a.timeout must be a number of seconds or a duration like 90s"),
        Case(yaml: "steps:\n  a:\n    commands: [x]\n    timeout: 0\n", line: 4, message: "steps.a.timeout must be"),
        Case(yaml: "steps:\n  a:\n    commands: [x]\n  b:\n    commands: [x]\n    depends_on: [aa]\n", line: 6,
             message: "step `b` depends on `aa`, but no step has that name (did you mean `a`?)"),
        Case(yaml: "steps:\n  a: {commands: [x], depends_on: c}\n  b: {commands: [x], depends_on: a}\n  c: {commands: [x], depends_on: b}\n",
             line: 2, message: "cycle (a → c → b → a)"),
        Case(yaml: "steps:\n  a: {commands: [x], depends_on: a}\n", line: 2, message: "cycle (a → a)"),
        Case(yaml: "when:\n  event: [push, pul_request]\nsteps: {a: {commands: [x]}}\n", line: 2,
             message: "when.event has an unknown event `pul_request` (did you mean `pull_request`?)"),
        Case(yaml: "when:\n  branches: main\nsteps: {a: {commands: [x]}}\n", line: 2,
             message: "when has an unknown key `branches` (did you mean `branch`?); known keys are: branch, event"),
        Case(yaml: "steps:\n  a:\n    commands: [x]\n    when: {branch: {includes: [main]}}\n", line: 4,
             message: "steps.a.when.branch has an unknown key `includes`"),
        Case(yaml: "steps: make\n", line: 1, message: "steps must be a list of steps"),
        Case(yaml: "steps: []\n", line: 1, message: "steps is empty"),
        Case(yaml: "image: alpine\n", line: 1, message: "the file has no `steps:`"),
        Case(yaml: "# nothing here\n", line: nil, message: "the file is empty"),
        Case(yaml: "- name: a\n", line: 1, message: "the top level must be a mapping"),
        Case(yaml: "image: a\nimage: b\nsteps: {a: {commands: [x]}}\n", line: 1, message: "the key `image` appears twice"),
        Case(yaml: "steps:\n  a:\n    name: b\n    commands: [x]\n", line: 3, message: "steps.a is named by its key"),
        Case(yaml: "steps:\n  - name: a\n    commands: [x, [y]]\n", line: 3, message: "steps.a.commands[1] must be a string, not a list"),
        Case(yaml: "steps:\n  - name: a\n\tcommands: [x]\n", line: 3, message: "tabs are not allowed for indentation"),
        Case(yaml: "steps:\n\t- name: a\n\t  commands: [x]\n", line: 2, message: "tabs are not allowed for indentation"),
        Case(yaml: "steps:\n  a:\n    commands:\n      - |\n        echo a\n\t\techo b\n", line: 6,
             message: "tabs are not allowed for indentation"),
    ]

    @Test(arguments: cases)
    func errorNamesLineAndProblem(_ testCase: Case) throws {
        let error = try #require(parseError(testCase.yaml))
        #expect(error.line == testCase.line)
        #expect(error.message.contains(testCase.message), "got: \(error.message)")
        #expect(error.file == "flowforge.yml")
    }

    /// Tabs are only refused in indentation: inside a value and between tokens they stay legal YAML.
    @Test func tabInsideAValueIsAccepted() throws {
        let config = try PipelineConfigParser.parse("steps:\n  - name: a\n    commands: [\"printf 'a\tb'\"]\t# tab before a comment\n")
        #expect(config.steps.first?.commands == ["printf 'a\tb'"])
    }

    @Test func descriptionHasFileAndLine() throws {
        let error = try #require(parseError("steps:\n  - name: build\n    commands: [x]\n    image: [a, b]\n"))
        #expect(error.description == "flowforge.yml:4: steps.build.image must be a string, not a list")
        let noLine = ConfigError(file: "ci.yml", line: nil, message: "the file is empty")
        #expect(noLine.description == "ci.yml: the file is empty")
    }

    @Test func fileNameAppearsInErrors() {
        #expect(throws: ConfigError(file: "ci/other.yml", line: nil, message: "the file is empty; it needs at least a `steps:` list")) {
            try PipelineConfigParser.parse("", fileName: "ci/other.yml")
        }
    }
}

@Suite struct YAMLErrorWordingTests {
    @Test func syntaxErrorSaysWhatAndWhere() throws {
        let error = try #require(parseError("steps:\n  - name: a\n    commands: [x\n"))
        #expect(error.description == "flowforge.yml:4: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence on line 3)")
    }
}
