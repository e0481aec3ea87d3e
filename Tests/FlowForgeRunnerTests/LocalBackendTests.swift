import FlowForgeCore
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// The local backend: real `/bin/sh` processes in a real workspace, each step its own process group.
@Suite("Local backend")
struct LocalBackendTests {
    let workspace: URL
    let backend = LocalBackend(logger: Logger(label: "test.local"))

    init() throws {
        workspace = FileManager.default.temporaryDirectory.appendingPathComponent("ff-local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
    }

    func request(_ steps: [PlanStep], timeout: Duration = .seconds(60), secrets: [String: String] = [:]) -> RunRequest {
        var request = RunRequest(pipelineID: "local-\(UUID().uuidString)", plan: Plan(steps: steps), workspace: workspace.path, timeout: timeout)
        request.secrets = secrets
        return request
    }

    static func step(_ name: String, _ commands: [String], timeout: Int? = nil, dependsOn: [String] = [], environment: [String: String] = [:]) -> PlanStep {
        PlanStep(name: name, image: "unused:1", commands: commands, environment: environment, timeoutSeconds: timeout, dependsOn: dependsOn)
    }

    @Test func runsStepsInTheWorkspaceInDependencyOrder() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        setenv("FLOWFORGE_LOCAL_TEST_SERVER_ONLY", "server-secret", 1)
        let observer = RecordingObserver()
        let outcome = await backend.run(request([
            Self.step("write", ["echo made-by-write > artifact.txt", "echo to-stderr >&2"], environment: ["GREETING": "hello"]),
            Self.step("read", [
                "cat artifact.txt", "echo \"$GREETING from $FLOWFORGE_WORKSPACE\"", "echo token=$TOKEN",
                "echo server=${FLOWFORGE_LOCAL_TEST_SERVER_ONLY:-unset}",
            ], dependsOn: ["write"]),
        ].map { step in
            var step = step
            if step.name == "read" { step.environment["GREETING"] = "hi"; step.secrets = ["TOKEN": "deploy"] }
            return step
        }, secrets: ["deploy": "s3cr3t"]), observer: observer)

        #expect(outcome == .success)
        let write = await observer.output(of: "write")
        #expect(write.hasPrefix(LocalBackend.notice), "the first log line says the step is not isolated:\n\(write)")
        #expect(write.contains("+ echo made-by-write > artifact.txt\n") && write.contains("to-stderr\n"), "\(write)")
        let read = await observer.output(of: "read")
        #expect(read.contains("made-by-write\n"), "the second step ran after the first, in the same workspace:\n\(read)")
        #expect(read.contains("hi from \(workspace.path)\n"), "\(read)")
        #expect(read.contains("token=s3cr3t\n"), "the secret it asked for (masking is the observer's job):\n\(read)")
        #expect(read.contains("server=unset\n"), "the server's own environment stays out of the step:\n\(read)")
        let timeline = await observer.timeline()
        #expect(timeline.first == .started("write") && timeline.last == .finished("read", 0))
    }

    @Test func aFailingStepFailsTheRunAndSkipsWhatDependsOnIt() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request([
            Self.step("broken", ["echo before", "exit 3", "echo never"]),
            Self.step("after", ["echo after"], dependsOn: ["broken"]),
        ]), observer: observer)

        #expect(outcome == .failure(step: "broken", message: "step broken exited with code 3"))
        #expect(await observer.output(of: "broken").contains("before\n"))
        #expect(!(await observer.output(of: "broken")).contains("never"))
        #expect(await observer.events.contains(.finished("broken", 3)))
        #expect(!(await observer.events.contains(.started("after"))))
    }

    /// A step that starts children (one in the background, one in a subshell) writes their pids; whatever
    /// ends the step must end them too.
    static let spawningChildren = [
        "sleep 300 & echo $! >> pids",
        "sh -c 'sleep 301 & echo $! >> pids; wait' &",
        "echo $! >> pids",
        // The subshell writes its child's pid on its own time: announce only once all three are written.
        "while [ $(wc -l < pids) -lt 3 ]; do sleep 0.01; done",
        "echo children-started",
        "wait",
    ]

    @Test func aStepTimeoutKillsTheWholeProcessTree() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request([Self.step("slow", Self.spawningChildren, timeout: 1)]), observer: observer)

        #expect(outcome == .timedOut(step: "slow", message: "timed out after 1s"))
        #expect(await observer.events.last == .finished("slow", nil))
        #expect(await observer.output(of: "slow").contains("children-started\n"))
        try await expectAllGone(pidsIn: workspace.appendingPathComponent("pids"), count: 3)
    }

    @Test func cancellingTheRunKillsTheWholeProcessTree() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let backend = self.backend
        let request = request([Self.step("long", Self.spawningChildren), Self.step("next", ["echo never"], dependsOn: ["long"])])
        let run = Task { await backend.run(request, observer: observer) }
        await observer.wait { events in
            // The line itself, not the echo of the command that prints it (`+ echo children-started`).
            let output = events.flatMap { event -> [UInt8] in if case .output("long", let chunk) = event { chunk } else { [] } }
            return String(decoding: output, as: UTF8.self).contains("\nchildren-started\n")
        }
        #expect(try await backend.pipelineIDsWithContainers() == [request.pipelineID])
        run.cancel()

        #expect(await run.value == .canceled)
        #expect(await observer.events.last == .finished("long", nil))
        #expect(!(await observer.events.contains(.started("next"))))
        try await expectAllGone(pidsIn: workspace.appendingPathComponent("pids"), count: 3)
        #expect(try await backend.pipelineIDsWithContainers().isEmpty)
    }

    @Test func thePipelineTimeoutStopsTheRunningStep() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request([Self.step("slow", Self.spawningChildren)], timeout: .seconds(1)), observer: observer)

        #expect(outcome == .timedOut(step: "slow", message: "pipeline timed out after 1s"))
        #expect(await observer.events.last == .finished("slow", nil))
        try await expectAllGone(pidsIn: workspace.appendingPathComponent("pids"), count: 3)
    }

    @Test func aBackgroundProcessLeftByAStepThatPassedIsKilled() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request([Self.step("leaves", ["sleep 300 > /dev/null 2>&1 & echo $! >> pids", "echo done"])]), observer: observer)

        #expect(outcome == .success)
        try await expectAllGone(pidsIn: workspace.appendingPathComponent("pids"), count: 1)
    }

    @Test func largeOutputArrivesWholeInBoundedChunksAndStdinIsEmpty() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = CountingObserver()
        // `cat` reads stdin: with /dev/null it ends at once instead of waiting for a terminal.
        let outcome = await backend.run(request([Self.step("loud", ["cat", "head -c 20000000 /dev/zero", "echo end"])]), observer: observer)

        #expect(outcome == .success)
        let (bytes, largest, ending) = await observer.totals
        let expected = LocalBackend.notice.utf8.count + "+ cat\n+ head -c 20000000 /dev/zero\n+ echo end\nend\n".utf8.count + 20_000_000
        #expect(bytes == expected, "every byte, once")
        #expect(largest <= 64 * 1024, "the reader hands over one pipe read at a time")
        #expect(ending == Array("end\n".utf8))
    }

    /// Keeps only counts: what a fast step writes is not held here.
    actor CountingObserver: RunObserver {
        private var bytes = 0
        private var largest = 0
        private var last: [UInt8] = []
        var totals: (Int, Int, [UInt8]) { (bytes, largest, last) }

        func stepStarted(_ step: String, at: Date) {}
        func stepOutput(_ step: String, _ chunk: [UInt8]) {
            bytes += chunk.count
            largest = max(largest, chunk.count)
            last = Array(chunk.suffix(4))
        }
        func stepFinished(_ step: String, exitCode: Int32?, at: Date) {}
    }

    /// Every pid in the file is gone (a zombie waiting for its reaper counts as gone: it runs nothing).
    /// A SIGKILL is acted on when the process is next scheduled, so this waits for that, a few seconds at most.
    func expectAllGone(pidsIn file: URL, count: Int) async throws {
        let pids = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == count, "the step wrote its children's pids: \(pids)")
        let deadline = ContinuousClock.now + .seconds(5)
        while pids.contains(where: Self.isRunning), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        for pid in pids {
            #expect(!Self.isRunning(pid), "process \(pid) of the step is still running")
        }
    }

    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}
