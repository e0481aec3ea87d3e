import FlowForgeTestSupport
import Foundation
import Testing

/// `flowforge lint` as an editor or a user runs it: the built binary on a file.
@Suite("CLI: flowforge lint")
struct LintCLITests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-lint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func lint(_ text: String, name: String = "flowforge.yml", _ arguments: [String] = []) async throws -> (status: Int32?, output: String) {
        try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        let process = try ServerProcess(["lint", name] + arguments, environment: [:], directory: directory)
        return (await process.waitForExit(timeout: .seconds(60)), process.output)
    }

    @Test func problemsArePrintedWithLineAndColumn() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let typo = try await lint("""
            steps:
              - name: build
                commands: [make]
                imgae: alpine:3.20
            """)
        #expect(typo.status == 1)
        #expect(typo.output.hasPrefix("flowforge.yml:4:5: steps.build has an unknown key `imgae` (did you mean `image`?)"), "\(typo.output)")
        #expect(typo.output.split(separator: "\n").count == 1, "one line per problem:\n\(typo.output)")

        let dependency = try await lint("""
            steps:
              - name: build
                commands: [make]
              - name: test
                depends_on: [biuld]
                commands: [make test]
            """, name: "ci.yml")
        #expect(dependency.status == 1)
        #expect(dependency.output.hasPrefix("ci.yml:5:17: step `test` depends on `biuld`, but no step has that name (did you mean `build`?)"), "\(dependency.output)")

        let untagged = try await lint("""
            steps:
              - name: build
                image: node
                commands: [npm test]
            """)
        #expect(untagged.status == 1)
        #expect(untagged.output.hasPrefix("flowforge.yml:2:5: step `build`: image `node` has no tag"), "found by compiling:\n\(untagged.output)")

        let yaml = try await lint("steps:\n  - name: a\n    commands: [x\n")
        #expect(yaml.status == 1)
        #expect(yaml.output.range(of: #"^flowforge\.yml:4:\d+: invalid YAML"#, options: .regularExpression) != nil, "\(yaml.output)")
    }

    @Test func jsonListsEachProblemForEditors() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = try await lint("""
            name: ci
            stpes:
              - name: a
            """, ["--format", "json"])
        #expect(broken.status == 1)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(broken.output.utf8)) as? [[String: Any]], "\(broken.output)")
        #expect(rows.count == 1)
        #expect(rows.first?["file"] as? String == "flowforge.yml")
        #expect(rows.first?["line"] as? Int == 2)
        #expect(rows.first?["column"] as? Int == 1)
        #expect((rows.first?["message"] as? String)?.hasPrefix("the top level has an unknown key `stpes` (did you mean `steps`?)") == true, "\(rows)")

        let valid = try await lint("steps:\n  - name: a\n    commands: [make]\n", ["--format", "json"])
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || valid.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(valid.output)")
    }

    @Test func aValidFilePrintsNothingAndAMissingOneIsExitTwo() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let valid = try await lint("steps:\n  - name: a\n    image: alpine:3.20\n    commands: [make]\n")
        #expect(valid.status == 0)
        #expect(valid.output.isEmpty, "\(valid.output)")

        let process = try ServerProcess(["lint", "missing.yml"], environment: [:], directory: directory)
        #expect(await process.waitForExit(timeout: .seconds(60)) == 2)
        #expect(process.output.contains("missing.yml cannot be read"), "\(process.output)")
    }
}
