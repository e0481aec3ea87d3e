import Foundation

/// Runs the `git` command-line tool for test fixtures, isolated from the machine's and the user's git
/// config so that results do not depend on who runs the tests.
public enum GitCommandLine {
    public struct Failure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var status: Int32
        public var standardError: String
        public var description: String {
            "git \(arguments.joined(separator: " ")) exited with \(status): \(standardError)"
        }
    }

    /// Runs `git <arguments>` in `directory` and returns its standard output, trimmed of the final newline.
    @discardableResult
    public static func run(_ arguments: [String], in directory: URL? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory {
            process.currentDirectoryURL = directory
        }
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_AUTHOR_NAME"] = "FlowForge Test"
        environment["GIT_AUTHOR_EMAIL"] = "test@flowforge.invalid"
        environment["GIT_COMMITTER_NAME"] = "FlowForge Test"
        environment["GIT_COMMITTER_EMAIL"] = "test@flowforge.invalid"
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Output first, then wait: git's stderr here is a few lines, far below a pipe's buffer.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                arguments: arguments, status: process.terminationStatus,
                standardError: String(decoding: errData, as: UTF8.self))
        }
        var text = String(decoding: outData, as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
