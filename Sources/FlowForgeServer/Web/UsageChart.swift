/// The last six months of pipeline runs as an inline SVG bar chart (no script, no library), with the
/// numbers also in a table for screen readers.
enum UsageChart {
    static func render(_ months: [UsageController.Month]) -> HTML {
        let peak = max(1, months.map(\.pipelineRuns).max() ?? 1)
        let width = 60, height = 140, top = 20
        let bars = months.enumerated().map { index, month -> HTML in
            let barHeight = month.pipelineRuns * (height - top) / peak
            let x = index * width + 15
            let label = String(month.month.suffix(5))
            return """
                <g><rect class="bar" x="\(x)" y="\(height - barHeight)" width="30" height="\(barHeight)"></rect>
                <text x="\(x + 15)" y="\(height - barHeight - 4)" text-anchor="middle">\(month.pipelineRuns)</text>
                <text x="\(x + 15)" y="\(height + 16)" text-anchor="middle">\(label)</text></g>
                """
        }
        let rows = months.map { month -> HTML in
            "<tr><th scope=\"row\">\(month.month)</th><td>\(month.pipelineRuns)</td><td>\(month.computeMinutes)</td></tr>"
        }
        return """
            <svg class="chart" viewBox="0 0 \(months.count * width) \(height + 24)" role="img" aria-labelledby="chart-title">
            <title id="chart-title">Pipeline runs in each of the last \(months.count) months</title>
            \(bars)
            </svg>
            <details><summary>Usage by month (table)</summary>
            <table><thead><tr><th scope="col">Month</th><th scope="col">Runs</th><th scope="col">Compute minutes</th></tr></thead>
            <tbody>\(rows)</tbody></table></details>
            """
    }
}
