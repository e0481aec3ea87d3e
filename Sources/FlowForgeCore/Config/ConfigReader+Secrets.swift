import Yams

/// A step's environment may take values from secrets: `KEY: {from_secret: name}`. The config (and the Plan
/// after it) keeps only the secret's name; the server looks the value up right before the run.
extension ConfigReader {
    /// A step's `env:` (or `environment:`): plain values, and the variables filled from secrets
    /// (variable → secret name).
    func stepEnvironment(_ node: Node, path: String) throws(ConfigError) -> (values: [String: String], secrets: [String: String]) {
        var values: [String: String] = [:]
        var secrets: [String: String] = [:]
        for (key, keyNode, value) in try entries(node, path: path) {
            try checkVariableName(key, keyNode, path: path)
            if case .mapping = value {
                secrets[key] = try secretReference(value, path: "\(path).\(key)")
            } else {
                values[key] = try string(value, path: "\(path).\(key)")
            }
        }
        return (values, secrets)
    }

    /// `{from_secret: name}`: the one key, naming a secret by the API's grammar.
    func secretReference(_ node: Node, path: String) throws(ConfigError) -> String {
        let entries = try entries(node, path: path, known: ["from_secret"])
        guard let entry = entries.first else {
            throw error(node, "\(path) is an empty mapping; write a value, or `{from_secret: name}` to take it from a secret")
        }
        return try secretName(entry.value, path: "\(path).from_secret")
    }

    /// A secret's name (`from_secret`, `image_pull_secret`).
    func secretName(_ node: Node, path: String) throws(ConfigError) -> String {
        let name = try string(node, path: path)
        guard SecretName.isValid(name) else {
            throw error(node, """
                \(path) `\(name)` is not a valid secret name; secret names have letters, digits, `_`, `-` and `.`, \
                start with a letter or `_`, and are at most \(SecretName.maxLength) characters (see GET /api/user/secrets)
                """)
        }
        return name
    }
}
