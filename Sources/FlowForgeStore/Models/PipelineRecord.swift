import Foundation

/// The states of a pipeline. `error` means FlowForge could not run it (bad config, clone or image failure);
/// `failure` means a step failed; `skipped` means the file's `when` excluded this event.
public enum PipelineStatus: String, Sendable, Codable, CaseIterable {
    case pending, running, success, failure, error, canceled, skipped

    public var isFinished: Bool { ![.pending, .running].contains(self) }
}

/// The states of a step: `skipped` for steps never run because an earlier one failed or the run ended.
public enum StepStatus: String, Sendable, Codable {
    case pending, running, success, failure, skipped, canceled
}

public struct PipelineRecord: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var repositoryID: String?
    public var repoURL: String
    public var branch: String
    public var commitSHA: String?
    public var event: String
    public var status: PipelineStatus
    public var error: String?
    /// The v1 API's `commands`, when the pipeline runs them instead of the repository's flowforge.yml.
    public var commands: [String]?
    public var environment: [String: String]
    public var createdAt: Int64
    public var startedAt: Int64?
    public var completedAt: Int64?
    /// A pull request whose head lives in another repository: its code is a stranger's, so it clones with
    /// read-only credentials at most and never gets the repository's own token.
    public var fork: Bool
    /// A ref to fetch besides branches and tags (`refs/pull/7/head`), when the commit is only reachable there.
    public var fetchRef: String?
    /// When the retention sweep deleted the pipeline's logs (`FLOWFORGE_LOG_RETENTION_DAYS`); nil while kept.
    public var logsExpiredAt: Int64? = nil
    /// The pipeline's `name:` from flowforge.yml, recorded once the file is read; nil before (the API and the
    /// status context then say `ci`).
    public var name: String? = nil
    /// The head commit's message and author as the forge sent them (nil for v1 API pipelines).
    public var commitMessage: String? = nil
    public var commitAuthor: String? = nil
    /// A pull request pipeline's number and the branch it targets.
    public var pullRequestNumber: Int? = nil
    public var targetBranch: String? = nil
    /// The forge repository's `owner/name` (nil for v1 API pipelines).
    public var repositoryName: String? = nil
    /// The backend that runs its steps (`docker`, `local`), once a worker started them; nil before.
    public var backend: String? = nil
    /// The files the push changed, as its webhook listed them; nil when not known (`when.path` then matches).
    public var changedFiles: [String]? = nil

    public init(
        id: String, userID: String, repositoryID: String? = nil, repoURL: String, branch: String, commitSHA: String?,
        event: String, status: PipelineStatus = .pending, error: String? = nil, commands: [String]?,
        environment: [String: String], createdAt: Int64, startedAt: Int64? = nil, completedAt: Int64? = nil,
        fork: Bool = false, fetchRef: String? = nil
    ) {
        self.fork = fork
        self.fetchRef = fetchRef
        self.id = id
        self.userID = userID
        self.repositoryID = repositoryID
        self.repoURL = repoURL
        self.branch = branch
        self.commitSHA = commitSHA
        self.event = event
        self.status = status
        self.error = error
        self.commands = commands
        self.environment = environment
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }
}

public struct StepRecord: Sendable, Equatable {
    public var pipelineID: String
    public var position: Int
    public var name: String
    public var status: StepStatus
    public var exitCode: Int?
    public var startedAt: Int64?
    public var finishedAt: Int64?
}

/// A page of pipelines, newest first, and the cursor for the next page (nil at the end).
public struct PipelinePage: Sendable {
    public var pipelines: [PipelineRecord]
    public var nextCursor: String?
}
