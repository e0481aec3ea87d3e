import FlowForgeStore

/// The lines FlowForge writes around the steps' own output in a pipeline's log, the same whether the log is
/// read whole or followed while it grows.
enum PipelineLogText {
    /// `==> step build (success, exit code 0)`: opens a step's output in a whole log, closes it when followed.
    static func stepLine(_ step: StepRecord) -> String {
        let exit = step.exitCode.map { ", exit code \($0)" } ?? ""
        return "==> step \(step.name) (\(step.status.rawValue)\(exit))\n"
    }

    /// Opens the output of a step that is still running, when the log is followed.
    static func runningLine(_ name: String) -> String {
        "==> step \(name) (running)\n"
    }

    /// The last line of a pipeline that ended with an error or a failure: what went wrong.
    static func endLine(_ pipeline: PipelineRecord) -> String? {
        guard let error = pipeline.error, pipeline.status == .error || pipeline.status == .failure else { return nil }
        return "==> \(pipeline.status.rawValue): \(error)\n"
    }
}
