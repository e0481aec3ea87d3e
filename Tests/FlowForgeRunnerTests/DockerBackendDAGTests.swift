import FlowForgeCore
import Foundation
import Testing

@testable import FlowForgeRunner

/// The Docker backend schedules the Plan's graph: independent steps side by side, bounded, and
/// `ignoreFailure` / `runsOn` deciding what runs after a failure.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerBackendDAGTests {
    /// Each step marks that it started, then waits (up to 30 s) for the other's mark: run one after the
    /// other, the first would give up and fail. The step after both sees both marks.
    static func meetingSteps(_ names: [String]) -> [PlanStep] {
        names.map { name in
            let other = names.first { $0 != name }!
            var step = DockerRunFixture.step(name, [
                "touch started-\(name)",
                "i=0; while [ ! -e started-\(other) ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done",
                "test -e started-\(other)",
                "touch done-\(name)",
            ])
            step.dependsOn = []
            return step
        }
    }

    @Test func independentStepsOverlapAndAJoinWaitsForBoth() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var join = DockerRunFixture.step("join", ["test -e done-left", "test -e done-right", "echo both"])
        join.dependsOn = ["left", "right"]
        let outcome = await fixture.backend.run(fixture.request(Self.meetingSteps(["left", "right"]) + [join], chained: false), observer: observer)

        let events = await observer.events
        let timeline = await observer.timeline()
        #expect(outcome == .success, "\(timeline)")
        let joinStart = try #require(events.firstIndex(of: .started("join")))
        #expect(events.firstIndex(of: .finished("left", 0))! < joinStart)
        #expect(events.firstIndex(of: .finished("right", 0))! < joinStart)
        #expect(await observer.output(of: "join").hasSuffix("both\n"))
        fixture.expectNothingLeft()
    }

    @Test func theBoundKeepsStepsApart() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var steps = ["one", "two", "three"].map { DockerRunFixture.step($0, ["echo \($0)"]) }
        for index in steps.indices { steps[index].dependsOn = [] }
        var request = fixture.request(steps, chained: false)
        request.maxParallelSteps = 1
        let outcome = await fixture.backend.run(request, observer: observer)

        #expect(outcome == .success)
        // With room for one step at a time, each step ends before the next starts, in plan order.
        let bounds = await observer.events.filter { if case .output = $0 { false } else { true } }
        #expect(bounds == [.started("one"), .finished("one", 0), .started("two"), .finished("two", 0), .started("three"), .finished("three", 0)])
        fixture.expectNothingLeft()
    }

    @Test func ignoredFailureAndStatusConditions() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var flaky = DockerRunFixture.step("flaky", ["exit 1"])
        flaky.ignoreFailure = true
        var after = DockerRunFixture.step("after-flaky", ["echo still here"])
        after.dependsOn = ["flaky"]
        var broken = DockerRunFixture.step("broken", ["exit 2"])
        broken.dependsOn = ["after-flaky"]
        var skipped = DockerRunFixture.step("deploy", ["echo never"])
        skipped.dependsOn = ["broken"]
        var notify = DockerRunFixture.step("notify", ["echo notified"])
        notify.dependsOn = ["deploy"]
        notify.runsOn = [.failure]
        var always = DockerRunFixture.step("cleanup", ["echo cleaned"])
        always.dependsOn = ["notify"]
        always.runsOn = [.success, .failure]
        var onlyOnFailure = DockerRunFixture.step("on-failure-only", ["echo wrong"])
        onlyOnFailure.dependsOn = ["after-flaky"]
        onlyOnFailure.runsOn = [.failure]

        let outcome = await fixture.backend.run(
            fixture.request([flaky, after, broken, skipped, notify, always, onlyOnFailure]), observer: observer)

        #expect(outcome == .failure(step: "broken", message: "step broken exited with code 2"))
        let events = await observer.events
        #expect(events.contains(.finished("flaky", 1)))
        #expect(events.contains(.finished("after-flaky", 0)))
        #expect(events.contains(.finished("broken", 2)))
        #expect(!events.contains(.started("deploy")))
        #expect(events.contains(.finished("notify", 0)))
        #expect(events.contains(.finished("cleanup", 0)))
        // Its upstream (flaky's failure is ignored) is clean: a failure-only step does not run.
        #expect(!events.contains(.started("on-failure-only")))
        fixture.expectNothingLeft()
    }

    @Test func pipelineTimeoutStopsEveryRunningStep() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var steps = ["a", "b"].map { DockerRunFixture.step($0, ["touch started-\($0)", "sleep 600"]) }
        for index in steps.indices { steps[index].dependsOn = [] }
        let outcome = await fixture.backend.run(fixture.request(steps, timeout: .seconds(4), chained: false), observer: observer)

        guard case .timedOut(_, let message) = outcome else {
            Issue.record("expected a timeout, got \(outcome)")
            return
        }
        #expect(message == "pipeline timed out after 4s")
        let events = await observer.events
        #expect(events.contains(.finished("a", nil)) && events.contains(.finished("b", nil)), "\(events)")
        fixture.expectNothingLeft()
    }

    @Test func cancellingTheTaskStopsEveryRunningStep() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var steps = ["a", "b"].map { DockerRunFixture.step($0, ["echo ready", "sleep 120"]) }
        for index in steps.indices { steps[index].dependsOn = [] }
        let request = fixture.request(steps, chained: false)
        let run = Task { await fixture.backend.run(request, observer: observer) }
        await observer.wait { events in
            ["a", "b"].allSatisfy { RecordingObserver.output(of: $0, in: events).contains("\nready\n") }
        }
        run.cancel()
        let outcome = await run.value

        #expect(outcome == .canceled)
        let events = await observer.events
        #expect(events.contains(.finished("a", nil)) && events.contains(.finished("b", nil)), "\(events)")
        fixture.expectNothingLeft()
    }
}
