import Yams

/// Reads `when:` blocks: `branch` and `event`, each a value, a list, or `{include: …, exclude: …}`.
struct WhenReader {
    static let whenKeys = ["branch", "event"]
    static let filterKeys = ["include", "exclude"]

    let reader: ConfigReader

    func condition(_ node: Node, path: String) throws(ConfigError) -> WhenCondition {
        var condition = WhenCondition()
        for (key, _, value) in try reader.entries(node, path: path, known: Self.whenKeys) {
            if key == "branch" {
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
