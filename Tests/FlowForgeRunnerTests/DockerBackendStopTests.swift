import AsyncHTTPClient
import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Testing

@testable import FlowForgeRunner

/// Runs that end early: timeouts, cancellation, and a log stream that outlives the HTTP read timeout.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerBackendStopTests {
    @Test func stepTimeoutKillsTheStepQuickly() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("slow", ["echo started", "sleep 60"], timeoutSeconds: 1),
                DockerRunFixture.step("later", ["echo never"]),
            ]), observer: observer)

        #expect(outcome == .timedOut(step: "slow", message: "timed out after 1s"))
        #expect(clock.now - start < .seconds(15))
        #expect(await observer.events.last == .finished("slow", nil))
        #expect(await observer.output(of: "slow").contains("started\n"))
        fixture.expectNothingLeft()
    }

    @Test func pipelineTimeoutStopsTheRunningStep() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await fixture.backend.run(
            // Long enough for the pod and the step to start even while other tests load the daemon.
            fixture.request([DockerRunFixture.step("slow", ["sleep 60"])], timeout: .milliseconds(5500)),
            observer: observer)

        #expect(outcome == .timedOut(step: "slow", message: "pipeline timed out after 5.5s"))
        #expect(clock.now - start < .seconds(20))
        let events = await observer.events
        #expect(events == [.started("slow"), .output("slow", Array("+ sleep 60\n".utf8)), .finished("slow", nil)])
        fixture.expectNothingLeft()
    }

    @Test func cancellingTheTaskKillsTheRun() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let run = Task {
            await fixture.backend.run(
                fixture.request([
                    DockerRunFixture.step("slow", ["echo ready", "sleep 60"]),
                    DockerRunFixture.step("later", ["echo never"]),
                ]), observer: observer)
        }
        await observer.wait { events in
            RecordingObserver.output(of: "slow", in: events).contains("\nready\n")
        }
        let clock = ContinuousClock()
        let start = clock.now
        run.cancel()
        let outcome = await run.value

        #expect(outcome == .canceled)
        #expect(clock.now - start < .seconds(15))
        #expect(await observer.events.last == .finished("slow", nil))
        fixture.expectNothingLeft()
    }

    /// A step silent for longer than the HTTP client's read timeout must lose no output and repeat none.
    @Test func outputSurvivesTheReadTimeout() async throws {
        let http = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(timeout: .init(connect: .seconds(5), read: .seconds(2))))
        let fixture = try DockerRunFixture { logger in
            DockerBackend(
                host: DockerTestPrerequisites.host, network: "none", podImage: DockerRunFixture.image, httpClient: http,
                logger: logger)
        }
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("quiet", ["echo one; echo two", "sleep 3", "echo three", "sleep 3", "exit 4"])
            ]), observer: observer)
        try await http.shutdown()

        #expect(outcome == .failure(step: "quiet", message: "step quiet exited with code 4"))
        #expect(
            await observer.output(of: "quiet")
                == "+ echo one; echo two\none\ntwo\n+ sleep 3\n+ echo three\nthree\n+ sleep 3\n+ exit 4\n")
        fixture.expectNothingLeft()
    }
}

