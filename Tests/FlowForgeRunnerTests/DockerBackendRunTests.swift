import FlowForgeCore
import Foundation
import Testing

@testable import FlowForgeRunner

@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerBackendRunTests {
    @Test func stepsShareTheWorkspaceAndReportInOrder() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("write", ["echo hello > note.txt", "echo wrote"]),
                DockerRunFixture.step("read", ["cat /workspace/note.txt"]),
            ]), observer: observer)

        #expect(outcome == .success)
        let timeline = await observer.timeline()
        #expect(
            timeline == [
                .started("write"),
                .output("write", Array("+ echo hello > note.txt\n+ echo wrote\nwrote\n".utf8)),
                .finished("write", 0),
                .started("read"),
                .output("read", Array("+ cat /workspace/note.txt\nhello\n".utf8)),
                .finished("read", 0),
            ], "\(timeline)")
        #expect(try String(contentsOf: fixture.workspace.appendingPathComponent("note.txt"), encoding: .utf8) == "hello\n")
        fixture.expectNothingLeft()
    }

    @Test func environmentReachesTheStep() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step(
                    "env", [#"echo "[$GREETING]""#], environment: ["GREETING": "hello world; $(not run)"])
            ]), observer: observer)

        #expect(outcome == .success)
        #expect(await observer.output(of: "env").hasSuffix("[hello world; $(not run)]\n"))
        fixture.expectNothingLeft()
    }

    @Test func stepRunsUnprivilegedWithoutNetwork() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step(
                    "inspect", ["grep NoNewPrivs /proc/self/status", "ls /sys/class/net", "test ! -e /var/run/docker.sock"])
            ]), observer: observer)

        #expect(outcome == .success)
        let output = await observer.output(of: "inspect")
        #expect(output.contains("NoNewPrivs:\t1"))
        #expect(output.contains("\nlo\n"))  // network "none": loopback only
        #expect(!output.contains("eth0"))
        fixture.expectNothingLeft()
    }

    @Test func failingStepStopsTheRun() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("fail", ["echo before", "echo broken >&2", "exit 3", "echo after"]),
                DockerRunFixture.step("later", ["echo never"]),
            ]), observer: observer)

        #expect(outcome == .failure(step: "fail", message: "step fail exited with code 3"))
        // stdout and stderr are separate pipes, so only the order within each is certain.
        let output = await observer.output(of: "fail")
        #expect(output.contains("+ echo before\n"))
        #expect(output.contains("\nbefore\n"))
        #expect(output.contains("broken\n"))
        #expect(output.contains("+ exit 3\n"))
        #expect(!output.contains("after"))
        #expect(await observer.events.last == .finished("fail", 3))
        #expect(await !observer.events.contains(.started("later")))
        fixture.expectNothingLeft()
    }

    @Test func unknownImageIsAnErrorNamingIt() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let image = "127.0.0.1:5999/nope/missing:1"
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("first", ["echo fine"]),
                DockerRunFixture.step("build", ["echo never"], image: image),
            ]), observer: observer)

        guard case .error(let message) = outcome else {
            Issue.record("expected an error, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("image \"\(image)\" could not be pulled: "), "\(message)")
        // The daemon's own words (which can carry a registry's answer body) never reach the error: only the
        // registry's address, taken from the image name, and a fixed reason.
        #expect(message.contains("the registry 127.0.0.1:5999 is not reachable"), "\(message)")
        #expect(!message.contains("dial tcp") && !message.contains("/v2/") && !message.contains("Get "), "\(message)")
        #expect(await observer.events.suffix(2) == [.started("build"), .finished("build", nil)])
        fixture.expectNothingLeft()
    }
}

/// An observer slower than the daemon's log stream, as a log store on a busy disk is: it counts what it gets.
actor SlowOutputObserver: RunObserver {
    private(set) var output: [UInt8] = []
    private(set) var chunks = 0

    func stepStarted(_ step: String, at: Date) {}
    func stepOutput(_ step: String, _ chunk: [UInt8]) async {
        output += chunk
        chunks += 1
        try? await Task.sleep(for: .milliseconds(2))
    }
    func stepFinished(_ step: String, exitCode: Int32?, at: Date) {}
}

@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerLogBatchTests {
    /// The daemon sends one piece per line; a slow observer gets what arrived meanwhile in one call instead
    /// of falling further behind line by line, and loses nothing.
    @Test func aChattyStepsLinesReachASlowObserverJoinedAndWhole() async throws {
        let fixture = try DockerRunFixture()
        let observer = SlowOutputObserver()
        let outcome = await fixture.backend.run(
            fixture.request([DockerRunFixture.step("chatty", ["seq 1 5000"])]), observer: observer)

        #expect(outcome == .success)
        let expected = "+ seq 1 5000\n" + (1...5000).map { "\($0)\n" }.joined()
        #expect(String(decoding: await observer.output, as: UTF8.self) == expected)
        let chunks = await observer.chunks
        #expect(chunks < 500, "\(chunks) calls for 5,001 lines")
        fixture.expectNothingLeft()
    }
}
