/// What `GitMirrorCache.checkout` put into the workspace.
public struct CheckoutResult: Sendable, Equatable {
    /// The full 40-character SHA of the commit now checked out (detached HEAD) in the workspace.
    public var commitSHA: String

    public init(commitSHA: String) {
        self.commitSHA = commitSHA
    }
}
