import Foundation

/// Text for a terminal from the API's pipeline JSON: one line per pipeline for lists, a block with its steps
/// for one pipeline.
public enum PipelineSummary {
    /// `id  status  branch  commit  created` for `pipeline list`.
    public static func row(_ pipeline: [String: Any]) -> String {
        let commit = (pipeline["commit_sha"] as? String).map { String($0.prefix(12)) } ?? "-"
        return [
            pipeline["id"] as? String ?? "?", pad(pipeline["status"] as? String ?? "?", 9),
            pad(pipeline["branch"] as? String ?? "-", 20), pad(commit, 12), pipeline["created_at"] as? String ?? "",
        ].joined(separator: "  ")
    }

    /// The pipeline, then a table of its steps (name, status, duration).
    public static func block(_ pipeline: [String: Any]) -> String {
        var lines = [
            "pipeline \(pipeline["id"] as? String ?? "?"): \(pipeline["status"] as? String ?? "?")",
            "  repository \(pipeline["repo_url"] as? String ?? "-")",
            "  branch     \(pipeline["branch"] as? String ?? "-")  commit \(pipeline["commit_sha"] as? String ?? "-")",
        ]
        if let error = pipeline["error"] as? String { lines.append("  error      \(error)") }
        let steps = pipeline["steps"] as? [[String: Any]] ?? []
        if !steps.isEmpty {
            lines.append("")
            lines.append(table(steps.map { step in
                (step["name"] as? String ?? "?", step["status"] as? String ?? "?",
                 duration(from: step["started_at"] as? String, to: step["finished_at"] as? String))
            }))
        }
        return lines.joined(separator: "\n")
    }

    /// `step  status  duration`, columns aligned.
    public static func table(_ rows: [(step: String, status: String, duration: String)]) -> String {
        let width = max(4, rows.map(\.step.count).max() ?? 0)
        var lines = [pad("step", width) + "  " + pad("status", 9) + "  duration"]
        for row in rows { lines.append(pad(row.step, width) + "  " + pad(row.status, 9) + "  " + row.duration) }
        return lines.joined(separator: "\n")
    }

    /// `1.23 s` between two API dates, or `-` when either is missing.
    public static func duration(from start: String?, to end: String?) -> String {
        guard let start = start.flatMap(date), let end = end.flatMap(date) else { return "-" }
        return String(format: "%.2f s", end.timeIntervalSince(start))
    }

    static func date(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return withFraction.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
