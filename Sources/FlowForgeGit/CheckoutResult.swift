/// What `GitMirrorCache.checkout` put into the workspace.
public struct CheckoutResult: Sendable, Equatable {
    /// The full 40-character SHA of the commit now checked out (detached HEAD) in the workspace.
    public var commitSHA: String
    /// Whether a kept work tree was brought to the commit (only changed files written) rather than a
    /// fresh one written in full. The workspace's content is the same either way.
    public var reusedTree: Bool

    public init(commitSHA: String, reusedTree: Bool = false) {
        self.commitSHA = commitSHA
        self.reusedTree = reusedTree
    }
}
