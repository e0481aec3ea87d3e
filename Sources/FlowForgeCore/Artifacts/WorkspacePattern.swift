/// Paths and globs of `artifacts:` and `cache:`, always relative to the workspace.
///
/// A pattern uses `Glob`'s syntax (`*` within one path segment, `**` across them). A file matches when
/// the pattern matches its path, or a folder above it (`dist` takes everything under `dist/`, as
/// GitHub's upload-artifact does). Patterns never leave the workspace: absolute ones and `..` are refused
/// when the file is read, so neither the store nor the cache ever looks outside it.
public enum WorkspacePattern {
    /// Why `pattern` cannot be used, in words for a config error; nil when it stays inside the workspace.
    public static func problem(_ pattern: String) -> String? {
        if pattern.trimmingWhitespace().isEmpty { return "is empty" }
        if pattern.hasPrefix("/") || pattern.hasPrefix("~") {
            return "is absolute; write it relative to the workspace (like `dist/app` for /workspace/dist/app)"
        }
        if pattern.contains("\\") || pattern.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a backslash or a control character"
        }
        if components(pattern).contains("..") { return "contains `..`, which reaches outside the workspace" }
        return nil
    }

    /// The pattern without `./`, empty segments and a trailing `/`.
    public static func normalized(_ pattern: String) -> String {
        components(pattern).joined(separator: "/")
    }

    /// True when the file at `path` (relative, `/`-separated) is taken by one of `patterns` (normalized).
    public static func matches(_ patterns: [String], _ path: String) -> Bool {
        patterns.contains { Glob.matches($0, path) || Glob.matches($0 + "/**", path) }
    }

    /// True when some file below the folder `path` could match one of `patterns`, so the walk must enter it.
    /// Conservative: a pattern with a glob before its end may match anywhere below.
    public static func mayMatchBelow(_ patterns: [String], folder path: String) -> Bool {
        patterns.contains { pattern in
            if Glob.matches(pattern, path) || Glob.matches(pattern + "/**", path) { return true }
            let patternParts = components(pattern)
            let folderParts = components(path)
            for (index, part) in folderParts.enumerated() {
                guard index < patternParts.count else { return false }
                let wanted = patternParts[index]
                if wanted.contains("**") { return true }
                if !Glob.matches(wanted, part) { return false }
            }
            return true
        }
    }

    private static func components(_ pattern: String) -> [String] {
        pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
    }
}
