import FlowForgeStore
import Foundation
import Hummingbird

/// A pipeline as the v1 API shows it. Unset times and the commit are explicit `null`s, so clients can rely
/// on every key being present.
struct PipelineView: ResponseEncodable {
    struct Step: Encodable {
        let name: String
        let status: String
        let exitCode: Int?
        let startedAt: Date?
        let finishedAt: Date?

        enum CodingKeys: String, CodingKey { case name, status, exitCode, startedAt, finishedAt }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(status, forKey: .status)
            try container.encode(exitCode, forKey: .exitCode)
            try container.encode(startedAt, forKey: .startedAt)
            try container.encode(finishedAt, forKey: .finishedAt)
        }
    }

    let id: String
    let status: String
    let repoURL: String
    let branch: String
    let commitSHA: String?
    let event: String
    let steps: [Step]?
    let createdAt: Date
    let startedAt: Date?
    let completedAt: Date?
    let error: String?
    /// A pull request from a fork: built with read-only credentials at most.
    let fork: Bool
    /// flowforge.yml's `name:` (`ci` when it has none, or before it is read).
    let name: String
    let commitMessage: String?
    let commitAuthor: String?
    /// `{number, target_branch}` for pull request pipelines, else null.
    let pullRequest: PullRequest?
    /// `docker` or `local` (steps not isolated) once a worker started the steps, else null.
    let backend: String?

    struct PullRequest: Encodable {
        let number: Int?
        let targetBranch: String?

        enum CodingKeys: String, CodingKey { case number, targetBranch }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(number, forKey: .number)
            try container.encode(targetBranch, forKey: .targetBranch)
        }
    }

    init(_ pipeline: PipelineRecord, steps: [StepRecord]?) {
        id = pipeline.id
        status = pipeline.status.rawValue
        repoURL = pipeline.repoURL
        branch = pipeline.branch
        commitSHA = pipeline.commitSHA
        event = pipeline.event
        self.steps = steps?.map {
            Step(name: $0.name, status: $0.status.rawValue, exitCode: $0.exitCode,
                 startedAt: $0.startedAt.map(Clock.date(millis:)), finishedAt: $0.finishedAt.map(Clock.date(millis:)))
        }
        createdAt = Clock.date(millis: pipeline.createdAt)
        startedAt = pipeline.startedAt.map(Clock.date(millis:))
        completedAt = pipeline.completedAt.map(Clock.date(millis:))
        error = pipeline.error
        fork = pipeline.fork
        name = pipeline.name ?? StatusContent.pipelineName
        commitMessage = pipeline.commitMessage
        commitAuthor = pipeline.commitAuthor
        pullRequest = pipeline.event == "pull_request"
            ? PullRequest(number: pipeline.pullRequestNumber, targetBranch: pipeline.targetBranch) : nil
        backend = pipeline.backend
    }

    enum CodingKeys: String, CodingKey {
        case id, status, repoURL = "repoUrl", branch, commitSHA = "commitSha", event, steps, createdAt, startedAt, completedAt, error, fork
        case name, commitMessage, commitAuthor, pullRequest, backend
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(status, forKey: .status)
        try container.encode(repoURL, forKey: .repoURL)
        try container.encode(branch, forKey: .branch)
        try container.encode(commitSHA, forKey: .commitSHA)
        try container.encode(event, forKey: .event)
        try container.encodeIfPresent(steps, forKey: .steps)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(completedAt, forKey: .completedAt)
        try container.encode(error, forKey: .error)
        try container.encode(fork, forKey: .fork)
        try container.encode(name, forKey: .name)
        try container.encode(commitMessage, forKey: .commitMessage)
        try container.encode(commitAuthor, forKey: .commitAuthor)
        try container.encode(pullRequest, forKey: .pullRequest)
        try container.encode(backend, forKey: .backend)
    }
}

struct PipelineListView: ResponseEncodable {
    let pipelines: [PipelineView]
    let nextCursor: String?

    enum CodingKeys: String, CodingKey { case pipelines, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pipelines, forKey: .pipelines)
        try container.encode(nextCursor, forKey: .nextCursor)
    }
}
