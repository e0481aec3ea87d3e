import Yams

/// `docs/openapi.yaml` read into its operations, for the generated `/docs/api` page. Reads the parts of
/// OpenAPI 3.1 the file uses: paths (with `$ref` to `components/pathItems`), operations, parameters, request
/// bodies, responses and schemas with local `$ref`s.
struct OpenAPIReference {
    struct Operation {
        let method: String
        let path: String
        let node: Node
        /// Path-level parameters first, then the operation's own.
        let parameters: [Node]
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static let methods = ["get", "put", "post", "patch", "delete", "head", "options", "trace"]

    let root: Node
    let operations: [Operation]

    init(yaml: String) throws {
        guard let root = try Yams.compose(yaml: yaml), let paths = root["paths"]?.mapping else {
            throw Invalid(description: "openapi.yaml has no `paths` mapping")
        }
        self.root = root
        var operations: [Operation] = []
        for (key, value) in paths {
            guard let path = key.string else { continue }
            let item = Self.resolve(value, in: root).node
            let shared = item["parameters"]?.sequence.map { Array($0) } ?? []
            for method in Self.methods {
                guard let operation = item[method] else { continue }
                let own = operation["parameters"]?.sequence.map { Array($0) } ?? []
                operations.append(Operation(
                    method: method.uppercased(), path: path, node: operation,
                    parameters: (shared + own).map { Self.resolve($0, in: root).node }))
            }
        }
        self.operations = operations
    }

    /// Follows a local `$ref` (`#/components/schemas/Pipeline`); returns the target and the last segment of
    /// the reference (the schema's name), or the node itself when it is no reference or points nowhere.
    static func resolve(_ node: Node, in root: Node) -> (node: Node, name: String?) {
        guard let reference = node["$ref"]?.string, reference.hasPrefix("#/") else { return (node, nil) }
        var target: Node? = root
        for segment in reference.dropFirst(2).split(separator: "/") {
            let key = segment.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            target = target?[key]
        }
        guard let target else { return (node, nil) }
        let name = reference.split(separator: "/").last.map(String.init)
        return (resolve(target, in: root).node, name)
    }

    func resolve(_ node: Node) -> (node: Node, name: String?) { Self.resolve(node, in: root) }
}
