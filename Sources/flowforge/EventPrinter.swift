import FlowForgeClient
import Foundation

/// Prints a followed pipeline for a person: a header when a step starts (and again when the output of
/// another step running beside it comes in between), each line of output as it comes, each step's end,
/// and a summary table of the steps at the end.
struct EventPrinter {
    let terminal: Terminal
    private var current: String?
    private var steps: [String] = []

    init(terminal: Terminal) {
        self.terminal = terminal
    }

    mutating func print(_ event: ServerSentEvent) {
        guard let data = try? JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any] else { return }
        switch event.event {
        case "step":
            guard let name = data["name"] as? String, let status = data["status"] as? String else { return }
            if status == "running" {
                if !steps.contains(name) { steps.append(name) }
                header(name)
            } else if status != "pending" {
                let exit = (data["exit_code"] as? Int).map { ", exit \($0)" } ?? ""
                let duration = PipelineSummary.duration(from: data["started_at"] as? String, to: data["completed_at"] as? String)
                terminal.out(terminal.paint("<== \(name): \(status)\(exit), \(duration)", Terminal.colour(for: status)))
                current = nil
            }
        case "log":
            guard let step = data["step"] as? String, let line = data["line"] as? String else { return }
            if current != step { header(step) }
            terminal.out(line.hasSuffix("\n") ? String(line.dropLast()) : line)
        case "pipeline":
            if let error = data["error"] as? String { terminal.out(terminal.paint("pipeline error: \(error)", .red)) }
        default:
            break
        }
    }

    private mutating func header(_ step: String) {
        terminal.out(terminal.paint("==> \(step)", .cyan))
        current = step
    }

    func finish(id: String, status: String, pipeline: [String: Any]?) {
        if let rows = pipeline?["steps"] as? [[String: Any]], !rows.isEmpty {
            terminal.out("")
            terminal.out(PipelineSummary.table(rows.map { step in
                (step["name"] as? String ?? "?", step["status"] as? String ?? "?",
                 PipelineSummary.duration(from: step["started_at"] as? String, to: step["finished_at"] as? String))
            }))
        }
        terminal.out(terminal.paint("pipeline \(id): \(status)", Terminal.colour(for: status)))
    }
}

/// Standard output with colour only where it helps: a terminal, and `NO_COLOR` unset (https://no-color.org).
struct Terminal {
    enum Colour: String {
        case red = "31", green = "32", yellow = "33", cyan = "36", plain = ""
    }

    let colours: Bool

    init(colours: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil) {
        self.colours = colours
    }

    func paint(_ text: String, _ colour: Colour) -> String {
        guard colours, colour != .plain else { return text }
        return "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m"
    }

    func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// `text` as it is, without adding a newline.
    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func colour(for status: String) -> Colour {
        switch status {
        case "success": .green
        case "failure", "error": .red
        case "canceled", "skipped": .yellow
        default: .plain
        }
    }

    static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}
