/// A forge event normalised into what a pipeline needs: which repository, which commit, and why.
public struct Trigger: Sendable, Equatable {
    /// `"github"`, `"gitlab"`, `"bitbucket"` or `"git"`: the `Forge.name` that produced it.
    public var provider: String
    /// `owner/repo`; GitLab: `path_with_namespace`; Bitbucket: `workspace/slug`; git: the name in the body.
    public var repositoryFullName: String
    /// Clone URL of the repository holding `commitSHA`; for a pull request from a fork, the fork's.
    public var cloneURL: String
    /// `"push"`, `"tag"` or `"pull_request"`.
    public var event: String
    /// Branch name for pushes, tag name for tags, the head (source) branch for pull requests.
    public var branch: String
    /// The commit to build. Bitbucket pull request hooks carry an abbreviated hash (12 digits).
    public var commitSHA: String
    /// Head commit message; for pull requests (whose hooks carry no message on GitHub/Bitbucket) the title.
    public var commitMessage: String?
    public var author: String?
    public var pullRequestNumber: Int?
    /// The branch a pull request merges into.
    public var targetBranch: String?
    /// GitHub App installation that sent the hook; its token clones and posts statuses.
    public var installationID: Int64?
    public var deliveryID: String?
    /// A pull request whose head lives in another repository than the one it merges into: a stranger's code.
    public var fork: Bool = false
    /// The ref of the base repository that holds a pull request's head (`refs/pull/7/head` on GitHub,
    /// `refs/merge-requests/7/head` on GitLab), so a fork's commit is fetched without cloning the fork.
    /// Nil for pushes and for forges without such a ref (Bitbucket).
    public var headRef: String?
    /// The repository holding a pull request's head, when it is not the base (Bitbucket forks are cloned
    /// from it, on the forge's own host).
    public var headRepositoryFullName: String?
    /// The repository's default branch, when the payload names it (GitHub and GitLab pushes); auto-cancel
    /// never cancels pipelines of that branch, and does nothing when it is not known.
    public var defaultBranch: String?
    /// The files the pushed commits added, modified or removed, from the payload's commit list (GitHub and
    /// GitLab pushes); nil when the payload has no such list or may have cut it short (20 commits or more).
    public var changedFiles: [String]?

    public init(
        provider: String, repositoryFullName: String, cloneURL: String, event: String, branch: String,
        commitSHA: String, commitMessage: String? = nil, author: String? = nil, pullRequestNumber: Int? = nil,
        targetBranch: String? = nil, installationID: Int64? = nil, deliveryID: String? = nil
    ) {
        self.provider = provider
        self.repositoryFullName = repositoryFullName
        self.cloneURL = cloneURL
        self.event = event
        self.branch = branch
        self.commitSHA = commitSHA
        self.commitMessage = commitMessage
        self.author = author
        self.pullRequestNumber = pullRequestNumber
        self.targetBranch = targetBranch
        self.installationID = installationID
        self.deliveryID = deliveryID
    }
}
