import Foundation
import Hummingbird

extension PipelinePages {
    /// The pipeline page's artifact list. Rows come from the v1 API's own list handler and the links go to
    /// its download handler mounted behind the session, so another account's pipeline is a 404 here too.
    func artifactsSection(_ request: Request, context: AppRequestContext, pipelineID: String, finished: Bool) async throws -> HTML {
        let artifacts = try await services.pipelineController.listArtifacts(request, context: context).artifacts
        guard !artifacts.isEmpty else {
            // While it runs, the page's script swaps the two notes when the pipeline ends (without reloading).
            let empty: HTML = finished
                ? "<p class=\"muted\" id=\"no-artifacts\">This pipeline kept no artifacts. A step keeps files with <code>artifacts:</code> in flowforge.yml.</p>"
                : """
                  <p class="muted" id="no-artifacts" data-while-running>Files the steps keep with <code>artifacts:</code> are listed here once those steps end.</p>
                  <p class="muted" data-when-ended hidden>The pipeline has ended: <a href="/dashboard/pipelines/\(pipelineID)">reload the page</a> to see the artifacts its steps kept, if any.</p>
                  """
            return "<section aria-labelledby=\"artifacts-title\"><h2 id=\"artifacts-title\">Artifacts</h2>\(empty)</section>"
        }
        let rows = artifacts.map { artifact -> HTML in
            """
            <tr data-artifact="\(artifact.name)"><td><a href="\(Self.artifactPath(pipelineID: pipelineID, name: artifact.name))" download>\(artifact.name)</a></td>
            <td>\(Self.byteSize(artifact.size))</td><td>\(artifact.step)</td></tr>
            """
        }
        return """
            <section aria-labelledby="artifacts-title"><h2 id="artifacts-title">Artifacts</h2>
            <div class="table-wrap"><table id="artifacts"><thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Step</th></tr></thead>
            <tbody>\(rows)</tbody></table></div></section>
            """
    }

    /// Each segment percent-encoded on its own: the `/`s of a workspace path stay path separators.
    static func artifactPath(pipelineID: String, name: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        return "/dashboard/pipelines/\(pipelineID)/artifacts/" + segments.joined(separator: "/")
    }

    static func byteSize(_ bytes: Int64) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
