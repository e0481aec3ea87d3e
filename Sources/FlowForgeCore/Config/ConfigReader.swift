import Yams

/// Typed access to the YAML tree, turning every shape mismatch into a `ConfigError` at the node's line.
///
/// Paths in messages are dotted, as a user would write them: `steps.build.env.GOFLAGS`.
struct ConfigReader {
    let file: String

    func error(_ node: Node?, _ message: String) -> ConfigError {
        ConfigError(file: file, line: node?.mark?.line, column: node?.mark?.column, message: message)
    }

    /// A mapping's entries in file order, with string keys.
    func entries(_ node: Node, path: String) throws(ConfigError) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            throw error(node, "\(path) must be a mapping (`key: value` lines), not \(kind(node))")
        }
        var result: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw error(keyNode, "\(path) has a key that is not a plain name; keys must be strings")
            }
            result.append((scalar.string, keyNode, value))
        }
        return result
    }

    /// Like `entries`, but rejects keys outside `known` so that a typo is not silently ignored.
    func entries(
        _ node: Node, path: String, known: [String]
    ) throws(ConfigError) -> [(key: String, keyNode: Node, value: Node)] {
        let all = try entries(node, path: path)
        try checkKnown(all, path: path, known: known)
        return all
    }

    func checkKnown(
        _ entries: [(key: String, keyNode: Node, value: Node)], path: String, known: [String]
    ) throws(ConfigError) {
        for entry in entries where !known.contains(entry.key) {
            var message = "\(path) has an unknown key `\(entry.key)`"
            if let guess = Spelling.closest(to: entry.key, among: known) {
                message += " (did you mean `\(guess)`?)"
            }
            message += "; known keys are: \(known.sorted().joined(separator: ", "))"
            throw error(entry.keyNode, message)
        }
    }

    /// A scalar's text. Numbers and booleans are taken as written (`1.0` stays "1.0"); null is an error.
    func string(_ node: Node, path: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(node, "\(path) must be a string, not \(kind(node))")
        }
        if Self.isNull(node) {
            throw error(node, "\(path) has no value; write a value after the colon (use \"\" for an empty string)")
        }
        return scalar.string
    }

    /// One string or a list of strings.
    func strings(_ node: Node, path: String) throws(ConfigError) -> [String] {
        guard case .sequence(let sequence) = node else {
            return [try string(node, path: path)]
        }
        var result: [String] = []
        for (index, item) in sequence.enumerated() {
            result.append(try string(item, path: "\(path)[\(index)]"))
        }
        return result
    }

    /// Refuses an `env:` key that is not a shell variable name, pointing at the key.
    func checkVariableName(_ key: String, _ keyNode: Node, path: String) throws(ConfigError) {
        guard Self.isVariableName(key) else {
            throw error(keyNode, """
                \(path) has an invalid variable name `\(key)`; use letters, digits and `_`, not starting \
                with a digit
                """)
        }
    }

    /// An `env:` mapping. Keys are shell variable names; values are scalars.
    func environment(_ node: Node, path: String) throws(ConfigError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, keyNode, value) in try entries(node, path: path) {
            try checkVariableName(key, keyNode, path: path)
            if case .mapping = value {
                // Secrets go only to the steps that ask for one, never to every step at once.
                throw error(value, """
                    \(path).\(key) is a mapping; only a step's env takes a secret (`\(key): {from_secret: name}` \
                    under the step), so that only the steps that need it get it
                    """)
            }
            result[key] = try string(value, path: "\(path).\(key)")
        }
        return result
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return Self.isNull(node) ? "empty" : "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A plain `~`, `null` or nothing at all.
    static func isNull(_ node: Node) -> Bool {
        node.tag.rawValue == Tag.Name.null.rawValue
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
