import FlowForgeStore
import Foundation

/// Pieces several pages share: status badges, times, durations, the pipelines table.
enum WebFragments {
    static func status(_ status: String, id: String? = nil) -> HTML {
        let idAttribute: HTML = id.map { HTML(" id=\"\($0)\"") } ?? ""
        return "<span class=\"status status-\(status)\"\(idAttribute)>\(status)</span>"
    }

    /// UTC, to the minute: the same on every replica and in every test.
    static func time(_ millis: Int64?) -> HTML {
        guard let millis else { return "<span class=\"muted\">never</span>" }
        let date = Clock.date(millis: millis)
        let iso = date.formatted(Date.ISO8601FormatStyle())
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return "<time datetime=\"\(iso)\">\(formatter.string(from: date))</time>"
    }

    static func duration(from start: Int64?, to end: Int64?) -> String {
        guard let start, let end, end >= start else { return "" }
        let seconds = Double(end - start) / 1000
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        return "\(Int(seconds) / 60) min \(Int(seconds) % 60) s"
    }

    static func repository(_ pipeline: PipelineRecord) -> String {
        pipeline.repositoryName ?? pipeline.repoURL
    }

    static func pipelinesTable(_ pipelines: [PipelineRecord]) -> HTML {
        guard !pipelines.isEmpty else {
            return "<p class=\"muted\">No pipelines yet. Push to a connected repository, or start one with <code>POST /api/v1/pipelines</code>.</p>"
        }
        let rows = pipelines.map { pipeline -> HTML in
            """
            <tr><td>\(status(pipeline.status.rawValue))</td>
            <td><a href="/dashboard/pipelines/\(pipeline.id)">\(pipeline.name ?? "ci") #\(pipeline.id.prefix(8))</a></td>
            <td>\(repository(pipeline))</td><td>\(pipeline.branch)</td>
            <td class="hide-narrow">\(time(pipeline.createdAt))</td>
            <td class="hide-narrow">\(duration(from: pipeline.startedAt, to: pipeline.completedAt))</td></tr>
            """
        }
        return """
            <div class="table-wrap"><table><thead><tr><th scope="col">Status</th><th scope="col">Pipeline</th><th scope="col">Repository</th>
            <th scope="col">Branch</th><th scope="col" class="hide-narrow">Created</th><th scope="col" class="hide-narrow">Duration</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }
}
