import Yams

/// Reads `when:` blocks: `branch`, `event` and `path`, each a value, a list, or `{include: …, exclude: …}`;
/// on steps also `status`, a value or a list of `success` and `failure`.
struct WhenReader {
    static let whenKeys = ["branch", "event", "path"]
    static let stepWhenKeys = whenKeys + ["status"]
    static let filterKeys = ["include", "exclude"]

    let reader: ConfigReader

    /// `forStep`: a step's `when`, which may say `status`; the pipeline's may not (nothing ran yet).
    func condition(_ node: Node, path: String, forStep: Bool = false) throws(ConfigError) -> WhenCondition {
        var condition = WhenCondition()
        for (key, _, value) in try reader.entries(node, path: path, known: forStep ? Self.stepWhenKeys : Self.whenKeys) {
            if key == "status" {
                condition.status = try reader.strings(value, path: "\(path).status")
                for status in condition.status where !WhenCondition.knownStatuses.contains(status) {
                    throw reader.error(value, """
                        \(path).status has an unknown state `\(status)`; write success, failure, or both as a list
                        """)
                }
                if condition.status.isEmpty {
                    throw reader.error(value, "\(path).status is empty; write success, failure, or both as a list")
                }
            } else if key == "path" {
                condition.path = try filter(value, path: "\(path).path")
                for pattern in condition.path.include + condition.path.exclude where pattern.isEmpty {
                    throw reader.error(value, "\(path).path has an empty pattern; write a file path or glob such as `src/**`")
                }
            } else if key == "branch" {
                condition.branch = try filter(value, path: "\(path).branch")
                for pattern in condition.branch.include + condition.branch.exclude where pattern.isEmpty {
                    throw reader.error(value, "\(path).branch has an empty pattern; write a branch name or glob")
                }
            } else {
                condition.event = try filter(value, path: "\(path).event")
                try checkEvents(condition.event, value, path: "\(path).event")
            }
        }
        return condition
    }

    private func filter(_ node: Node, path: String) throws(ConfigError) -> GlobFilter {
        guard case .mapping = node else {
            return GlobFilter(include: try reader.strings(node, path: path))
        }
        var filter = GlobFilter()
        for (key, _, value) in try reader.entries(node, path: path, known: Self.filterKeys) {
            let values = try reader.strings(value, path: "\(path).\(key)")
            if key == "include" { filter.include = values } else { filter.exclude = values }
        }
        return filter
    }

    private func checkEvents(_ filter: GlobFilter, _ node: Node, path: String) throws(ConfigError) {
        let known = TriggerContext.knownEvents
        for event in filter.include + filter.exclude where !known.contains(event) {
            var message = "\(path) has an unknown event `\(event)`"
            if let guess = Spelling.closest(to: event, among: known) {
                message += " (did you mean `\(guess)`?)"
            }
            throw reader.error(node, message + "; known events are: \(known.joined(separator: ", "))")
        }
    }
}
