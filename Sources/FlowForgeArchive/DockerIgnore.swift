import FlowForgeCore
import Foundation

/// A `.dockerignore` file, as the Docker CLI reads it: one pattern a line, `#` comments, `!` to take a
/// path back in; the last pattern that matches a path decides. A pattern matches a path or any folder
/// above it (`node_modules` leaves out everything below it); `*` and `?` stay within one name, `**` spans
/// folders. A leading `/` or `./` is dropped: every pattern is relative to the context's root.
/// See https://docs.docker.com/build/concepts/context/#dockerignore-files
public struct DockerIgnore: Sendable {
    struct Rule: Sendable {
        var pattern: String
        var exception: Bool
    }

    let rules: [Rule]

    public init(_ text: String) {
        rules = text.split(whereSeparator: \.isNewline).compactMap { line in
            var pattern = line.trimmingCharacters(in: .whitespaces)
            if pattern.isEmpty || pattern.hasPrefix("#") { return nil }
            let exception = pattern.hasPrefix("!")
            if exception { pattern = String(pattern.dropFirst()).trimmingCharacters(in: .whitespaces) }
            pattern = pattern.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            return pattern.isEmpty ? nil : Rule(pattern: pattern, exception: exception)
        }
    }

    /// Whether the patterns leave `path` (relative, `/`-separated) out of the context.
    public func excludes(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        let candidates = components.indices.map { components[...$0].joined(separator: "/") }
        var excluded = false
        for rule in rules where candidates.contains(where: { Glob.matches(rule.pattern, $0) }) {
            excluded = !rule.exception
        }
        return excluded
    }

    /// The `DirectoryArchive` filter: what these patterns leave out is left out, but never `keeping` (the
    /// Dockerfile and the `.dockerignore`, which the daemon reads from the context as the CLI sends them).
    public func decision(_ path: String, isDirectory: Bool, keeping: Set<String>) -> DirectoryArchive.Decision {
        if keeping.contains(path) { return .include }
        guard excludes(path) else { return .include }
        if isDirectory && (rules.contains(where: \.exception) || keeping.contains(where: { $0.hasPrefix(path + "/") })) {
            return .descendOnly
        }
        return .exclude
    }
}
