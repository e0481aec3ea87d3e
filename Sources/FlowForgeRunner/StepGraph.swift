import FlowForgeCore
import Logging

/// The step graph of a plan, run the same way by every backend: a backend supplies how one step runs.
enum StepGraph {
    /// How a step ended, as the steps after it see it.
    enum StepEnd: Sendable, Equatable {
        /// Exited 0, or failed with `failure: ignore`.
        case passed
        case failed
        /// Not run: its `when.status` did not match what its upstream came to.
        case skipped
    }

    /// Whether two steps of `plan` may ever run at the same time. Never with `maxParallelSteps` 1, and never
    /// when each step depends (directly or not) on the one listed before it: the plan lists its steps in
    /// dependency order, so then they form one chain.
    static func stepsMayOverlap(_ plan: Plan, maxParallelSteps: Int) -> Bool {
        guard maxParallelSteps > 1, plan.steps.count > 1 else { return false }
        let upstream = plan.upstream
        return zip(plan.steps, plan.steps.dropFirst()).contains { earlier, later in
            upstream[later.name]?.contains(earlier.name) != true
        }
    }

    /// Runs the plan's graph: a step starts once every step it depends on has ended, at most
    /// `maxParallelSteps` at a time, in plan order among those ready. A step whose upstream (what
    /// it depends on, directly or not) holds a failure runs only if its `runsOn` has `failure`; one whose
    /// upstream is clean only if it has `success`; otherwise it is skipped, and counts as ended.
    ///
    /// `runStep` returns nil when the step passed, or the outcome its failure or timeout would give the run.
    /// Returns the first such outcome of a step without `ignoreFailure` (the others keep running to their
    /// end), or `.success`. An error thrown by `runStep` ends the whole run: it is rethrown, and the task
    /// group cancels the other running steps (the backend's cleanup removes what they left).
    static func run(
        _ plan: Plan, maxParallelSteps: Int, logger: Logger,
        runStep: @escaping @Sendable (PlanStep) async throws -> RunOutcome?
    ) async throws -> RunOutcome {
        let upstream = plan.upstream
        let byName = Dictionary(plan.steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var ends: [String: StepEnd] = [:]
        var waiting = plan.steps
        var running = 0
        var firstFailure: RunOutcome?

        return try await withThrowingTaskGroup(of: (String, RunOutcome?).self) { group in
            while true {
                var index = 0
                // Plan order is dependency order: a step can only unblock steps after it, so one pass suffices.
                while index < waiting.count {
                    let step = waiting[index]
                    guard step.dependsOn.allSatisfy({ ends[$0] != nil }) else {
                        index += 1
                        continue
                    }
                    let failedUpstream = (upstream[step.name] ?? []).contains { ends[$0] == .failed }
                    if !step.runsOn.contains(failedUpstream ? .failure : .success) {
                        waiting.remove(at: index)
                        ends[step.name] = .skipped
                        logger.debug("step skipped", metadata: ["step": "\(step.name)", "upstream_failed": "\(failedUpstream)"])
                        continue
                    }
                    guard running < maxParallelSteps else { break }
                    waiting.remove(at: index)
                    running += 1
                    group.addTask { (step.name, try await runStep(step)) }
                }
                guard let (name, stop) = try await group.next() else { break }
                running -= 1
                guard let stop else {
                    ends[name] = .passed
                    continue
                }
                if byName[name]?.ignoreFailure == true {
                    logger.info("step failed; its failure is ignored", metadata: ["step": "\(name)"])
                    ends[name] = .passed
                } else {
                    ends[name] = .failed
                    if firstFailure == nil { firstFailure = stop }
                }
            }
            return firstFailure ?? .success
        }
    }
}
