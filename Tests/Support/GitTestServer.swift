import Foundation

/// A real smart-HTTP git server on 127.0.0.1 for tests: the repository's `git-http-server.py`
/// (`git http-backend` as CGI) serving every bare repository under `root`, optionally behind HTTP
/// basic auth. Stops on `stop()` or when released; then its folder is removed.
public final class GitTestServer: Sendable {
    /// Holds everything of this server: `repositories/` (the served root) and the work trees of
    /// `GitTestRepository`s made through `makeRepository`.
    public let directory: URL
    /// Where the served bare repositories live.
    public let root: URL
    public let port: Int
    /// `http://127.0.0.1:<port>`; a repository `x.git` is at `"\(baseURL)/x.git"`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    // Process is Sendable in swift-corelibs-foundation; terminate/wait are safe from any thread.
    private let process: Process
    /// The server's standard input; it stops when this closes, including when the test process dies.
    private let lifeline: Pipe

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/ci/git-http-server.py")

    /// Starts the server on a free port; with `user` and `password`, every request needs them.
    public init(user: String? = nil, password: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flowforge-git-server-\(UUID().uuidString)", isDirectory: true)
        root = directory.appendingPathComponent("repositories", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", Self.script.path, "--root", root.path, "--port", "0", "--exit-on-stdin-eof"]
        if let user, let password {
            arguments += ["--user", user, "--password", password]
        }
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        lifeline = Pipe()
        process.standardInput = lifeline
        try process.run()
        guard let port = Self.readPort(output.fileHandleForReading) else {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
            throw ServerDidNotStart(script: Self.script.path)
        }
        self.port = port
    }

    /// Creates a bare repository `name` (e.g. `"app.git"`) that this server serves.
    public func makeRepository(_ name: String, defaultBranch: String = "main") throws -> GitTestRepository {
        try GitTestRepository(name: name, root: root, httpBase: baseURL, defaultBranch: defaultBranch)
    }

    /// Stops the server and removes its folder. Safe to call twice.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? lifeline.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: directory)
    }

    deinit {
        stop()
    }

    /// The script prints the bound port as its first line, before accepting connections.
    private static func readPort(_ handle: FileHandle) -> Int? {
        var line = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }  // the process ended without printing a port
            line.append(chunk)
            if let newline = line.firstIndex(of: UInt8(ascii: "\n")) {
                return Int(String(decoding: line[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespaces))
            }
        }
    }

    public struct ServerDidNotStart: Error, CustomStringConvertible {
        public var script: String
        public var description: String {
            "the test git server \(script) did not start: check that python3 and git (with git http-backend) "
                + "are installed; its error output is above"
        }
    }
}
