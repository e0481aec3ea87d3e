import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Testing

@testable import FlowForgeRunner

/// `runLeavingCleanup`: which containers a run leaves for its caller, and when it removes them itself.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerRunCleanupTests {
    static func labels(_ container: [String: Any]) -> [String: String] { DockerRunFixture.labels(container) }

    static func isRunning(_ container: [String: Any]) -> Bool {
        (container["State"] as? [String: Any])?["Running"] as? Bool == true
    }

    /// A run that ended on its own hands back its containers: the pod, and no step still running, so nothing
    /// writes to the workspace while the caller records the outcome. `perform` then removes them all.
    @Test func anEndedRunLeavesItsStoppedContainersForTheCaller() async throws {
        let fixture = try DockerRunFixture()
        // Independent steps may run side by side, so they share a pod (on `none`, a chain gets none).
        let (outcome, cleanup) = await fixture.backend.runLeavingCleanup(
            fixture.request([DockerRunFixture.step("one", ["echo one"]), DockerRunFixture.step("two", ["echo two"])], chained: false),
            observer: RecordingObserver())
        #expect(outcome == .success, "\(outcome)")
        let left = (DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID) ?? [])
            .compactMap { DockerTestPrerequisites.inspect(container: $0) }
        #expect(left.contains { Self.labels($0)[DockerBackend.roleLabel] == "pod" }, "the pod is left for the cleanup")
        #expect(!left.contains { Self.labels($0)[DockerBackend.stepLabel] != nil && Self.isRunning($0) }, "no step still runs")
        await cleanup.perform()
        fixture.expectNothingLeft()
    }

    /// A lone step is the run's only container: no pod, and the step has the backend's network itself.
    @Test func aLoneStepRunsWithoutAPodOnTheNetwork() async throws {
        let fixture = try DockerRunFixture()
        let (outcome, cleanup) = await fixture.backend.runLeavingCleanup(
            fixture.request([DockerRunFixture.step("alone", ["echo alone"])]), observer: RecordingObserver())
        #expect(outcome == .success, "\(outcome)")
        // Its removal started when it ended and may be done already: whatever is left is this step.
        let left = (DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID) ?? [])
            .compactMap { DockerTestPrerequisites.inspect(container: $0) }
        #expect(left.allSatisfy { Self.labels($0)[DockerBackend.stepLabel] == "alone" }, "no pod: \(left.map(Self.labels))")
        for container in left {
            #expect((container["HostConfig"] as? [String: Any])?["NetworkMode"] as? String == "none")
        }
        await cleanup.perform()
        fixture.expectNothingLeft()
    }

    /// The pipeline's timeout kills the running step and cuts its wait short: whatever the run hands back,
    /// no step is still running when it returns (the backend removes them first when it cannot know).
    @Test func aRunCutShortLeavesNoStepRunning() async throws {
        let fixture = try DockerRunFixture()
        let (outcome, cleanup) = await fixture.backend.runLeavingCleanup(
            fixture.request([DockerRunFixture.step("slow", ["sleep 30"]), DockerRunFixture.step("after", ["echo after"])], timeout: .seconds(2)),
            observer: RecordingObserver())
        guard case .timedOut(step: "slow", _) = outcome else {
            Issue.record("expected the pipeline's timeout, got \(outcome)")
            return
        }
        let left = (DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID) ?? [])
            .compactMap { DockerTestPrerequisites.inspect(container: $0) }
        #expect(!left.contains { Self.labels($0)[DockerBackend.stepLabel] != nil && Self.isRunning($0) }, "no step still runs")
        await cleanup.perform()
        fixture.expectNothingLeft()
    }

    /// A Docker error in one step ends the run and cuts short a step beside it without killing it: that
    /// step was never seen to exit, so the backend removes it before returning instead of leaving it
    /// running while the caller records the outcome.
    @Test func aStepCutShortByAnotherStepsErrorIsRemovedBeforeTheRunReturns() async throws {
        let fixture = try DockerRunFixture()
        var beside = DockerRunFixture.step("beside", ["sleep 30"])
        beside.dependsOn = []
        var first = DockerRunFixture.step("first", ["echo first"])
        first.dependsOn = []
        // Starts once `first` ended, by when `beside` runs; nothing answers on port 9, so its pull fails.
        var broken = DockerRunFixture.step("broken", ["true"], image: "127.0.0.1:9/flowforge-test/absent:1")
        broken.dependsOn = ["first"]
        let (outcome, cleanup) = await fixture.backend.runLeavingCleanup(
            fixture.request([beside, first, broken], chained: false), observer: RecordingObserver())
        guard case .error = outcome else {
            Issue.record("expected the pull's error, got \(outcome)")
            return
        }
        #expect(DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID) == [], "removed before returning")
        await cleanup.perform()
        fixture.expectNothingLeft()
    }
}
