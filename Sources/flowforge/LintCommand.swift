import ArgumentParser
import FlowForgeCore
import Foundation

/// `flowforge lint [FILE]`: the server's own parser and compiler on a file, problems as `file:line:column:`.
struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a flowforge.yml with the server's own parser; prints each problem as file:line:column: message.",
        discussion: """
            Exit status: 0 when the file is valid, 1 when it has problems, 2 when it cannot be read. \
            --format json prints an array of {file, line, column, message} (empty when valid) for editors.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The file to check.") var file = "flowforge.yml"
    @Option(help: "text (file:line:column: message) or json.") var format: Format = .text

    func run() async throws {
        let text: String
        do {
            text = try await ConfigFile.read(file)
        } catch {
            Terminal.standardError("flowforge: \(error)")
            throw ExitCode(2)
        }
        let problems = ConfigLint.problems(in: text, fileName: file)
        switch format {
        case .text:
            for problem in problems { print(problem.locatedDescription) }
        case .json:
            let rows: [[String: Any]] = problems.map {
                ["file": $0.file, "line": $0.line ?? 1, "column": $0.column ?? 1, "message": $0.message]
            }
            let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
        if !problems.isEmpty { throw ExitCode.failure }
    }
}

/// What `lint` reports for a file's text.
enum ConfigLint {
    /// The parser stops at the first problem, so a file has at most one from parsing. Once it parses, it is
    /// also compiled for every event on its default branch, as the server compiles it for a trigger, which
    /// finds what only compiling does (an image without a tag); each distinct problem once.
    static func problems(in text: String, fileName: String) -> [ConfigError] {
        let config: PipelineConfig
        do {
            config = try PipelineConfigParser.parse(text, fileName: fileName)
        } catch {
            return [error]
        }
        var found: [ConfigError] = []
        for event in TriggerContext.knownEvents {
            do {
                // The operator's default image is not the file's: a placeholder stands for it.
                _ = try PlanCompiler.compile(config, context: TriggerContext(event: event, branch: "main"), defaultImage: "default:image")
            } catch {
                // The compiler names the file `flowforge.yml`; the user named another.
                let problem = ConfigError(file: fileName, line: error.line, column: error.column, message: error.message)
                if !found.contains(problem) { found.append(problem) }
            }
        }
        return found
    }
}
