/// Bounds that keep parsing a `flowforge.yml` cheap, whoever wrote it.
///
/// The file comes from a repository, i.e. from anyone who can push; these limits make sure a hostile or
/// broken file costs a bounded amount of memory and time before it is rejected with a clear error.
public struct ConfigLimits: Sendable {
    /// Largest accepted file, in UTF-8 bytes; checked before any parsing.
    public var maxBytes = 256 * 1024
    /// Most steps a pipeline may have.
    public var maxSteps = 100
    /// Most alias uses (`*name`) a file may contain.
    public var maxAliases = 100
    /// Most YAML nodes the document may have once every alias is expanded. This is what stops a
    /// "billion laughs" document, which needs few aliases to describe an enormous tree.
    public var maxNodes = 100_000

    public static let `default` = ConfigLimits()

    public init(maxBytes: Int = 256 * 1024, maxSteps: Int = 100, maxAliases: Int = 100, maxNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxSteps = maxSteps
        self.maxAliases = maxAliases
        self.maxNodes = maxNodes
    }
}
