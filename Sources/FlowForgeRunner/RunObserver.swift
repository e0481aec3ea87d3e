import Foundation

/// Receives what a run produces.
///
/// For one step the calls arrive in order: `stepStarted`, any number of `stepOutput`, then `stepFinished`.
/// Steps without a dependency between them may run at the same time, so the calls of two steps may
/// interleave (and arrive concurrently): an observer keys what it keeps by step name. A step that is never
/// run (its upstream failed, or the run ended first) gets no calls at all.
///
/// A service of the plan is reported the same way under its `PlanService.logName` (`service <name>`), side
/// by side with the steps: started as its container starts, its output, then finished with its own exit
/// code when it exited while the steps still ran, 0 when FlowForge stopped it at the end of the run, and
/// nil when it could not be started or the run was cancelled.
public protocol RunObserver: Sendable {
    /// The step's container is about to run its script.
    func stepStarted(_ step: String, at: Date) async
    /// Bytes the step wrote to stdout or stderr (both in one stream, demultiplexed), as they arrive.
    /// A chunk may end in the middle of a line or of a UTF-8 sequence.
    func stepOutput(_ step: String, _ chunk: [UInt8]) async
    /// The step is over. Backends await this call before they start a step that depends on this one and
    /// before the run ends, so the server may read what the step left in the workspace (its artifacts) here. `exitCode` is the script's exit status, or `nil` when it never got to run or to exit
    /// on its own (its image could not be used, it timed out, the run was cancelled).
    func stepFinished(_ step: String, exitCode: Int32?, at: Date) async
}
