import FlowForgeStore
import Foundation

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

    /// Says the logs are gone, for a pipeline whose logs the retention sweep deleted.
    static func expiredLine(_ pipeline: PipelineRecord) -> String? {
        guard let expired = pipeline.logsExpiredAt else { return nil }
        let date = ISO8601DateFormatter().string(from: Clock.date(millis: expired))
        return "==> the output of this pipeline was deleted on \(date), when its retention ended (FLOWFORGE_LOG_RETENTION_DAYS)\n"
    }

    /// The last line of a pipeline that ended other than in success: what went wrong, or why nothing ran.
    /// A skipped pipeline, or one canceled before it started, has no step output at all, so without this
    /// line its log would be an empty answer that explains nothing.
    static func endLine(_ pipeline: PipelineRecord) -> String? {
        switch pipeline.status {
        case .error, .failure:
            guard let error = pipeline.error else { return nil }
            return "==> \(pipeline.status.rawValue): \(error)\n"
        case .skipped:
            let reason = pipeline.error ?? "the repository's flowforge.yml excludes this event"
            return "==> skipped, nothing ran: \(reason)\n"
        case .canceled:
            let reason = pipeline.error ?? "canceled"
            return reason.hasPrefix("canceled") ? "==> \(reason)\n" : "==> canceled: \(reason)\n"
        case .pending, .running, .success:
            return nil
        }
    }
}
