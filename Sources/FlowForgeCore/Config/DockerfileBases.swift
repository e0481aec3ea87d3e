/// The base images a Dockerfile builds `FROM`, read the way the builder reads them, so that FlowForge can
/// check each before the build starts (the build itself never pulls a base the host already has).
///
/// Handles comments, line continuations, `FROM [--platform=…] image [AS name]`, stages built from earlier
/// stages (`FROM builder`), `scratch`, and variables from `ARG NAME=default` lines before the first `FROM`:
/// FlowForge passes no build arguments, so those defaults are exactly what the builder substitutes.
public enum DockerfileBases {
    public enum Base: Equatable, Sendable {
        case image(String)
        /// A `FROM` whose variable has no default before the first `FROM`: what it names is unknown.
        case unresolved(String)
    }

    public static func bases(of text: String) -> [Base] {
        var arguments: [String: String] = [:]
        var stages = Set<String>()
        var bases: [Base] = []
        var sawFrom = false
        for line in instructions(text) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            if keyword == "ARG", !sawFrom, words.count >= 2 {
                let definition = words[1]
                if let equals = definition.firstIndex(of: "=") {
                    arguments[String(definition[..<equals])] = unquoted(String(definition[definition.index(after: equals)...]))
                }
            } else if keyword == "FROM" {
                sawFrom = true
                let rest = words.dropFirst().filter { !$0.hasPrefix("--") }
                guard let written = rest.first else { continue }
                let name = substitute(written, arguments)
                let isStage = stages.contains(name.lowercased())
                if rest.count >= 3, rest[rest.startIndex + 1].uppercased() == "AS" { stages.insert(rest[rest.startIndex + 2].lowercased()) }
                if name.contains("$") { bases.append(.unresolved(written)); continue }
                if name.lowercased() == "scratch" || isStage { continue }
                bases.append(.image(name))
            }
        }
        return bases
    }

    /// The instructions one a line: comments dropped, `\` continuations joined.
    static func instructions(_ text: String) -> [String] {
        var result: [String] = []
        var pending = ""
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(raw).trimmingWhitespace()
            if line.hasPrefix("#") { continue }
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()) + " "
                continue
            }
            pending += line
            if !pending.trimmingWhitespace().isEmpty { result.append(pending.trimmingWhitespace()) }
            pending = ""
        }
        if !pending.trimmingWhitespace().isEmpty { result.append(pending.trimmingWhitespace()) }
        return result
    }

    static func substitute(_ text: String, _ arguments: [String: String]) -> String {
        var result = text
        for (name, value) in arguments.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacing("${\(name)}", with: value).replacing("$\(name)", with: value)
        }
        return result
    }

    static func unquoted(_ text: String) -> String {
        guard text.count >= 2, let first = text.first, first == "\"" || first == "'", text.last == first else { return text }
        return String(text.dropFirst().dropLast())
    }
}
