import Yams

/// Reads `matrix:`: axes (`KEY: [values]`) and/or `include: [{KEY: value, …}]`.
struct MatrixReader {
    let reader: ConfigReader

    func matrix(_ node: Node) throws(ConfigError) -> Matrix {
        var matrix = Matrix()
        for (key, keyNode, value) in try reader.entries(node, path: "matrix") {
            if key == "include" {
                guard case .sequence(let entries) = value else {
                    throw reader.error(value, "matrix.include must be a list of combinations (`- {GO: \"1.22\", DB: pg}`), not \(reader.kind(value))")
                }
                for (index, entry) in entries.enumerated() {
                    let path = "matrix.include[\(index)]"
                    var combination: [Matrix.Variable] = []
                    for (name, nameNode, item) in try reader.entries(entry, path: path) {
                        try checkKey(name, nameNode, path: path)
                        combination.append(Matrix.Variable(key: name, value: try reader.string(item, path: "\(path).\(name)")))
                    }
                    guard !combination.isEmpty else {
                        throw reader.error(entry, "\(path) is empty; give it at least one `KEY: value`")
                    }
                    matrix.include.append(combination)
                }
            } else {
                try checkKey(key, keyNode, path: "matrix")
                let values = try reader.strings(value, path: "matrix.\(key)")
                guard !values.isEmpty else {
                    throw reader.error(value, "matrix.\(key) is empty; list at least one value")
                }
                matrix.axes.append(Matrix.Axis(key: key, values: values))
            }
        }
        let count = matrix.combinations.count
        guard count > 0 else {
            throw reader.error(node, "matrix has no combinations; add axes (`GO: [\"1.21\", \"1.22\"]`) or `include:`")
        }
        guard count <= Matrix.maxCombinations else {
            throw reader.error(node, """
                matrix has \(count) combinations, over the limit of \(Matrix.maxCombinations); use fewer values \
                or list the combinations you need under `include:`
                """)
        }
        return matrix
    }

    private func checkKey(_ key: String, _ node: Node, path: String) throws(ConfigError) {
        guard ConfigReader.isVariableName(key) else {
            throw reader.error(node, """
                \(path) has an invalid variable name `\(key)`; matrix keys become environment variables: use \
                letters, digits and `_`, not starting with a digit
                """)
        }
    }
}
