import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// A slow reader of a step that writes fast: the server (a `flowforge serve` process, so its memory is its
/// own) reads the log store a chunk at a time and waits for each write, so its peak memory stays far below
/// the size of the log it streams.
@Suite("event stream memory", .needsDocker, .dockerPrerequisites, .serialized)
struct EventStreamMemoryTests {
    static let lineCount = 300_000
    static let logBytes = 65 * lineCount

    /// `VmRSS` or `VmHWM` (the peak) of a process, in bytes.
    static func memory(_ pid: Int32, _ field: String) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
        let kilobytes = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
        return kilobytes * 1024
    }

    @Test func aSlowReaderOfAFastStepKeepsTheServersMemoryBounded() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-sse-memory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let database = try await TestDatabase.make(in: root)
        defer {
            Task { await database.drop() }
            try? FileManager.default.removeItem(at: root)
        }
        var environment = baseTestEnvironment(directory: root.appendingPathComponent("data"), databaseURL: database.url)
        // Docker keeps the whole output (no rotation of its log files under a fast writer), and so does FlowForge.
        environment.merge(pipelineEnvironment(["FLOWFORGE_MAX_LOG_BYTES": "1g", "FLOWFORGE_STEP_LOG_MAX_SIZE": "1g"])) { _, new in new }
        let repository = try GitTestRepository(name: "fast.git", root: root.appendingPathComponent("git"))
        try repository.commit(["README": "x"])
        let port = ServerProcess.freePort()
        let server = try ServerProcess(["serve", "--port", "\(port)"], environment: environment)
        #expect(await server.waitUntilListening(port: port), "\(server.output)")
        let client = ServerProcessClient(port: port)
        let key = try await client.apiKey()
        // 19.5 MB of 64-byte lines, written as fast as the container can.
        let id = try #require(try await client.object(.POST, "/api/v1/pipelines", token: key, json: [
            "repo_url": repository.fileURL,
            "commands": ["yes 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde | head -c \(Self.logBytes)"],
        ])["id"] as? String)
        let pid = server.process.processIdentifier
        let before = try Self.memory(pid, "VmRSS")

        var stream = try await EventStreamClient.open(port: port, "/api/v1/pipelines/\(id)/events", key: key)
        var lines = 0
        var bytes = 0
        var last: ReceivedEvent?
        while let event = try await stream.next() {
            last = event
            guard event.event == "log" else { continue }
            lines += 1
            bytes += (event.object["line"] as? String)?.utf8.count ?? 0
            // The slow reader: far slower than the step writes, so the server must hold back, not buffer.
            if lines % 2_000 == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(last?.event == "end" && last?.object["status"] as? String == "success")
        // Every line arrived (the Docker backend cuts a few lines in two where Docker split its messages).
        #expect(lines > Self.lineCount && bytes > Self.lineCount * 63, "\(lines) lines, \(bytes) bytes")
        let peak = try Self.memory(pid, "VmHWM")
        // The log (19.5 MB, and more than twice that as events) never sits in the server's memory.
        #expect(peak - before < 24 << 20, "peak RSS \(peak >> 20) MiB, \(before >> 20) MiB before the stream")
        let pipeline = try await client.pipeline(id, key: key)
        print("event stream memory: step \(steps(pipeline)), \((pipeline["steps"] as? [[String: Any]])?.first ?? [:])")
        print("event stream memory: RSS before \(before >> 20) MiB, peak \(peak >> 20) MiB, \(lines) lines")
        server.signal(SIGTERM)
        _ = await server.waitForExit(timeout: .seconds(20))
    }
}
