/// The state of one pipeline as shown next to a commit on its forge.
public enum CommitStatusState: String, Sendable, Equatable, CaseIterable {
    case pending, running, success, failure, error, canceled
    /// `when` excluded the event: nothing ran, nothing passed. Never shown as success; forges without a
    /// neutral state (GitHub's statuses) are sent nothing for it (see the server's `StatusPublisher`).
    case skipped

    /// Whether `forge` can show the state without claiming a result it does not have.
    public func isShown(on forge: String) -> Bool {
        self != .skipped || forge != "github"
    }
}

/// One commit status to post: each forge's `statusRequest` turns it into that forge's API call.
public struct CommitStatus: Sendable, Equatable {
    public var state: CommitStatusState
    /// Names the check on the forge, e.g. `flowforge/ci`; a later status with the same context replaces it.
    public var context: String
    public var description: String
    /// The pipeline's dashboard page.
    public var targetURL: String
    public var sha: String
    /// `owner/repo`; GitLab: `path_with_namespace`; Bitbucket: `workspace/slug`.
    public var repositoryFullName: String
    /// GitLab's numeric project id, preferred over the path when known (it survives renames).
    public var gitLabProjectID: Int64?

    public init(
        state: CommitStatusState, context: String = "flowforge/ci", description: String, targetURL: String,
        sha: String, repositoryFullName: String, gitLabProjectID: Int64? = nil
    ) {
        self.state = state
        self.context = context
        self.description = description
        self.targetURL = targetURL
        self.sha = sha
        self.repositoryFullName = repositoryFullName
        self.gitLabProjectID = gitLabProjectID
    }
}
