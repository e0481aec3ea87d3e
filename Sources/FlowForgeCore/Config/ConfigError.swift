/// A problem with a `flowforge.yml`, located at a line of the file when one is known.
///
/// Its `description` is what a user sees, e.g. `flowforge.yml:12: steps.build.image must be a string`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's name as the user knows it (usually `flowforge.yml`).
    public let file: String
    /// The 1-based line of the offending YAML node, or nil when the problem concerns the whole file.
    public let line: Int?
    /// The 1-based column (in Unicode scalars, as libyaml counts) where that node starts, when known.
    public let column: Int?
    /// What is wrong and, where it helps, what to do about it.
    public let message: String

    public init(file: String, line: Int?, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = line == nil ? nil : column
        self.message = message
    }

    public var description: String {
        if let line {
            return "\(file):\(line): \(message)"
        }
        return "\(file): \(message)"
    }

    /// `file:line:column: message`, the form compilers print and editors jump to; without a known line,
    /// line 1 column 1, so every problem still parses as a location.
    public var locatedDescription: String {
        "\(file):\(line ?? 1):\(column ?? 1): \(message)"
    }
}
