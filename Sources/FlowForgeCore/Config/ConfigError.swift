/// A problem with a `flowforge.yml`, located at a line of the file when one is known.
///
/// Its `description` is what a user sees, e.g. `flowforge.yml:12: steps.build.image must be a string`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's name as the user knows it (usually `flowforge.yml`).
    public let file: String
    /// The 1-based line of the offending YAML node, or nil when the problem concerns the whole file.
    public let line: Int?
    /// What is wrong and, where it helps, what to do about it.
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line {
            return "\(file):\(line): \(message)"
        }
        return "\(file): \(message)"
    }
}
