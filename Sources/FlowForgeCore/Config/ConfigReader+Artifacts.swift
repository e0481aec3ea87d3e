import Yams

extension ConfigReader {
    /// Most patterns one `artifacts:` or `cache:` list may hold.
    static let maxWorkspacePatterns = 50

    /// `artifacts:` or `cache:`: one path or glob, or a list of them, each inside the workspace, normalized.
    func workspacePatterns(_ node: Node, path: String) throws(ConfigError) -> [String] {
        let patterns = try strings(node, path: path)
        guard !patterns.isEmpty else {
            throw error(node, "\(path) is empty; list the paths to keep, like `dist/**`, or remove the key")
        }
        guard patterns.count <= Self.maxWorkspacePatterns else {
            throw error(node, "\(path) has \(patterns.count) entries, over the limit of \(Self.maxWorkspacePatterns); use globs like `dist/**`")
        }
        var result: [String] = []
        for (index, pattern) in patterns.enumerated() {
            if let problem = WorkspacePattern.problem(pattern) {
                let item: Node? = if case .sequence(let sequence) = node { sequence[index] } else { node }
                throw error(item, "\(path)[\(index)] `\(pattern)` \(problem); paths are relative to the workspace and stay inside it")
            }
            let normalized = WorkspacePattern.normalized(pattern)
            if !result.contains(normalized) { result.append(normalized) }
        }
        return result
    }
}
