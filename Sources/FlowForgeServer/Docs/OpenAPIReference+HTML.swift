import Yams

/// The `/docs/api` page: every operation with its method, path, summary, authentication, parameters, request
/// body and responses, grouped by the file's tags. Every text from the file is escaped.
extension OpenAPIReference {
    func html() throws -> String {
        let title = root["info"]?["title"]?.string ?? "API reference"
        var out = "<h1>\(HTMLText.escape(title))</h1>\n"
        if let description = root["info"]?["description"]?.string {
            out += DocsMarkdown.render(description).html + "\n"
        }
        for (tag, operations) in grouped() {
            out += "<h2 id=\"tag-\(DocsMarkdown.anchor(tag))\">\(HTMLText.escape(tag))</h2>\n"
            for operation in operations { out += html(operation) }
        }
        return out
    }

    /// Operations under their first tag, tags in the order the file lists them (`untagged` last).
    func grouped() -> [(String, [Operation])] {
        let declared = root["tags"]?.sequence?.compactMap { $0["name"]?.string } ?? []
        var groups: [String: [Operation]] = [:]
        for operation in operations {
            groups[operation.node["tags"]?.sequence?.first?.string ?? "untagged", default: []].append(operation)
        }
        let order = declared + groups.keys.filter { !declared.contains($0) }.sorted()
        return order.compactMap { tag in groups[tag].map { (tag, $0) } }
    }

    func html(_ operation: Operation) -> String {
        let node = operation.node
        let id = node["operationId"]?.string ?? "\(operation.method)-\(operation.path)"
        var out = "<section class=\"operation\" id=\"\(HTMLText.escape(DocsMarkdown.anchor(id)))\">\n"
        out += "<h3><span class=\"method\">\(operation.method)</span> <code>\(HTMLText.escape(operation.path))</code></h3>\n"
        if let summary = node["summary"]?.string { out += "<p class=\"summary\">\(HTMLText.escape(summary))</p>\n" }
        if let description = node["description"]?.string { out += "<p class=\"muted\">\(HTMLText.escape(description))</p>\n" }
        out += "<p>Authentication: \(authentication(node))</p>\n"
        if !operation.parameters.isEmpty {
            out += "<h4>Parameters</h4>\n<table><thead><tr><th>name</th><th>in</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>\n"
            for parameter in operation.parameters {
                out += "<tr><td><code>\(text(parameter["name"]))</code></td><td>\(text(parameter["in"]))</td>"
                out += "<td>\(parameter["schema"].map { typeLabel($0) } ?? "")</td>"
                out += "<td>\(parameter["required"]?.bool == true ? "yes" : "no")</td><td>\(text(parameter["description"]))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        if let body = node["requestBody"].map({ resolve($0).node }) {
            out += "<h4>Request body</h4>\n" + content(body)
        }
        if let responses = node["responses"]?.mapping {
            out += "<h4>Responses</h4>\n"
            for (status, value) in responses {
                let response = resolve(value).node
                out += "<h5><code>\(text(status))</code> \(text(response["description"]))</h5>\n" + content(response)
            }
        }
        return out + "</section>\n"
    }

    /// The schemes an operation accepts (`security`, else the file's default), or "none".
    func authentication(_ operation: Node) -> String {
        let requirements = (operation["security"] ?? root["security"])?.sequence ?? []
        let names = requirements.compactMap { $0.mapping?.keys.compactMap(\.string).joined(separator: " + ") }.filter { !$0.isEmpty }
        guard !names.isEmpty else { return "none" }
        return names.map { name in
            let scheme = root["components"]?["securitySchemes"]?[name]
            let detail = scheme?["name"]?.string ?? scheme?["bearerFormat"]?.string.map { "Authorization: Bearer (\($0))" }
            return "<code>\(HTMLText.escape(name))</code>" + (detail.map { " (\(HTMLText.escape($0)))" } ?? "")
        }.joined(separator: " or ")
    }

    /// Each media type of a body or response, with its schema.
    func content(_ node: Node) -> String {
        guard let content = node["content"]?.mapping else { return "" }
        var out = ""
        for (mediaType, value) in content {
            out += "<p><code>\(text(mediaType))</code>"
            if let schema = value["schema"] {
                out += ": \(typeLabel(schema))</p>\n" + properties(schema, depth: 0)
            } else {
                out += "</p>\n"
            }
        }
        return out
    }

    /// An object schema's properties as a table, nested objects inside (three levels at most).
    func properties(_ schema: Node, depth: Int) -> String {
        var target = resolve(schema).node
        if target["type"]?.string == "array", let items = target["items"] { target = resolve(items).node }
        guard depth < 3, let fields = target["properties"]?.mapping, !fields.isEmpty else { return "" }
        let required = Set(target["required"]?.sequence?.compactMap(\.string) ?? [])
        var out = "<table><thead><tr><th>field</th><th>type</th><th>required</th><th>description</th></tr></thead><tbody>\n"
        for (key, value) in fields {
            let name = key.string ?? ""
            let property = resolve(value).node
            out += "<tr><td><code>\(HTMLText.escape(name))</code></td><td>\(typeLabel(value))</td>"
            out += "<td>\(required.contains(name) ? "yes" : "no")</td><td>\(text(property["description"]))"
            out += properties(value, depth: depth + 1) + "</td></tr>\n"
        }
        return out + "</tbody></table>\n"
    }

    /// `string (date-time)`, `array of Pipeline`, `string | null`, `one of: string, array of string`.
    func typeLabel(_ schema: Node) -> String {
        let (node, name) = resolve(schema)
        if let name, node["properties"] != nil || node["enum"] == nil && node["type"]?.string == "object" {
            return "<code>\(HTMLText.escape(name))</code>"
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let choices = node[combinator]?.sequence {
                return (combinator == "allOf" ? "all of: " : "one of: ") + choices.map { typeLabel($0) }.joined(separator: ", ")
            }
        }
        var label: String
        if let types = node["type"]?.sequence {
            label = types.compactMap(\.string).joined(separator: " | ")
        } else {
            label = node["type"]?.string ?? "any"
        }
        if label.hasPrefix("array"), let items = node["items"] { return "array of " + typeLabel(items) }
        label = HTMLText.escape(label)
        if let format = node["format"]?.string { label += " (\(HTMLText.escape(format)))" }
        if let values = node["enum"]?.sequence {
            label += ": " + values.map { "<code>\(text($0))</code>" }.joined(separator: ", ")
        }
        if let value = node["const"] { label += " = <code>\(text(value))</code>" }
        if let value = node["default"] { label += ", default <code>\(text(value))</code>" }
        return label
    }

    private func text(_ node: Node?) -> String { HTMLText.escape(node?.string ?? "") }
}
