import FlowForgeClient
import FlowForgeRunner
import Foundation

/// How `flowforge run` shows a run as it happens: a header when a step starts (and again when output of
/// another step running beside it came in between), its output line by line as it comes, a line when it
/// ends, and the summary table at the end. Lines are printed whole, so steps side by side never mix
/// within a line; what a step leaves without a newline is printed when it finishes.
actor RunConsole: RunObserver {
    struct StepRow {
        var started: Date?
        var finished: Date?
        var exitCode: Int32?
        var ended = false
    }

    let terminal: Terminal
    private var current: String?
    private var partial: [String: [UInt8]] = [:]
    private(set) var rows: [String: StepRow] = [:]

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    func stepStarted(_ step: String, at: Date) {
        rows[step, default: StepRow()].started = at
        header(step)
    }

    func stepOutput(_ step: String, _ chunk: [UInt8]) {
        var buffer = partial[step, default: []] + chunk
        guard let lastNewline = buffer.lastIndex(of: UInt8(ascii: "\n")) else {
            partial[step] = buffer
            return
        }
        let complete = buffer[...lastNewline]
        buffer.removeSubrange(...lastNewline)
        partial[step] = buffer
        if current != step { header(step) }
        terminal.write(String(decoding: complete, as: UTF8.self))
    }

    func stepFinished(_ step: String, exitCode: Int32?, at: Date) {
        if let rest = partial.removeValue(forKey: step), !rest.isEmpty {
            if current != step { header(step) }
            terminal.out(String(decoding: rest, as: UTF8.self))
        }
        rows[step, default: StepRow()].finished = at
        rows[step, default: StepRow()].exitCode = exitCode
        rows[step, default: StepRow()].ended = true
        let status = exitCode == 0 ? "success" : "failure"
        let exit = exitCode.map { ", exit \($0)" } ?? ""
        terminal.out(terminal.paint("<== \(step): \(status)\(exit), \(Self.duration(rows[step]))", Terminal.colour(for: status)))
        current = nil
    }

    private func header(_ step: String) {
        terminal.out(terminal.paint("==> \(step)", .cyan))
        current = step
    }

    /// The table of every step of the plan in plan order, then the pipeline's result.
    func summary(steps: [String], outcome: RunOutcome) {
        terminal.out("")
        terminal.out(PipelineSummary.table(steps.map { name in
            (name, Self.status(of: name, rows[name], outcome: outcome), Self.duration(rows[name]))
        }))
        let (status, detail) = Self.describe(outcome)
        terminal.out(terminal.paint("pipeline: \(status)" + (detail.map { " (\($0))" } ?? ""), Terminal.colour(for: status)))
    }

    static func status(of step: String, _ row: StepRow?, outcome: RunOutcome) -> String {
        guard let row, row.started != nil else { return outcome == .canceled ? "canceled" : "skipped" }
        guard row.ended else { return "running" }
        if let code = row.exitCode { return code == 0 ? "success" : "failure" }
        switch outcome {
        case .timedOut(let failed, _) where failed == step: return "timeout"
        case .canceled: return "canceled"
        // FlowForge could not run it (an image that cannot be had, no shell): not the step's own failure.
        case .error: return "error"
        default: return "failure"
        }
    }

    static func describe(_ outcome: RunOutcome) -> (status: String, detail: String?) {
        switch outcome {
        case .success: ("success", nil)
        case .failure(_, let message): ("failure", message)
        case .timedOut(let step, let message): ("failure", "step \(step) \(message)")
        case .error(let message): ("error", message)
        case .canceled: ("canceled", nil)
        }
    }

    static func duration(_ row: StepRow?) -> String {
        guard let started = row?.started, let finished = row?.finished else { return "-" }
        return String(format: "%.2f s", finished.timeIntervalSince(started))
    }
}
