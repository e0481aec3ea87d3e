/// What every step is told about its pipeline, as Woodpecker's `CI_*` and GitHub Actions' `GITHUB_*`
/// variables do: the server's runs and `flowforge run` give the same names.
public struct PipelineFacts: Sendable, Equatable {
    public var pipelineID: String
    public var commit: String
    /// The branch; for `tag` events, the tag's name.
    public var branch: String
    public var event: String
    public var repository: String
    public var pullRequestNumber: Int?
    public var targetBranch: String?
    public var commitMessage: String?
    public var commitAuthor: String?

    public init(
        pipelineID: String, commit: String, branch: String, event: String, repository: String,
        pullRequestNumber: Int? = nil, targetBranch: String? = nil, commitMessage: String? = nil, commitAuthor: String? = nil
    ) {
        self.pipelineID = pipelineID
        self.commit = commit
        self.branch = branch
        self.event = event
        self.repository = repository
        self.pullRequestNumber = pullRequestNumber
        self.targetBranch = targetBranch
        self.commitMessage = commitMessage
        self.commitAuthor = commitAuthor
    }

    /// `FLOWFORGE_BRANCH` is empty for tags and `FLOWFORGE_TAG` empty for everything else; the pull request
    /// variables are set only for pull requests; message and author only when known.
    public var environment: [String: String] {
        let isTag = event == "tag"
        var environment = [
            "CI": "true",
            "FLOWFORGE": "true",
            "FLOWFORGE_PIPELINE_ID": pipelineID,
            "FLOWFORGE_COMMIT_SHA": commit,
            "FLOWFORGE_BRANCH": isTag ? "" : branch,
            "FLOWFORGE_TAG": isTag ? branch : "",
            "FLOWFORGE_EVENT": event,
            "FLOWFORGE_REPO": repository,
        ]
        if event == "pull_request" {
            if let pullRequestNumber { environment["FLOWFORGE_PR_NUMBER"] = String(pullRequestNumber) }
            if let targetBranch { environment["FLOWFORGE_TARGET_BRANCH"] = targetBranch }
        }
        if let commitMessage { environment["FLOWFORGE_COMMIT_MESSAGE"] = commitMessage }
        if let commitAuthor { environment["FLOWFORGE_COMMIT_AUTHOR"] = commitAuthor }
        return environment
    }
}

extension Plan {
    /// Every step's environment with `requested` (the run's own `env`) laid over it, then `standard` over
    /// that, so that a step can trust the standard variables, and `FLOWFORGE_STEP_NAME` and
    /// `FLOWFORGE_PIPELINE_NAME` last. Services the same, with `FLOWFORGE_SERVICE_NAME` for the step's name.
    public func withEnvironment(requested: [String: String], standard: [String: String]) -> Plan {
        var plan = self
        for index in plan.steps.indices {
            plan.steps[index].environment.merge(requested) { _, requested in requested }
            plan.steps[index].environment.merge(standard) { _, given in given }
            plan.steps[index].environment["FLOWFORGE_STEP_NAME"] = plan.steps[index].name
            plan.steps[index].environment["FLOWFORGE_PIPELINE_NAME"] = plan.name
        }
        // A service is told its own name where a step is told the step's.
        for index in plan.services.indices {
            plan.services[index].environment.merge(requested) { _, requested in requested }
            plan.services[index].environment.merge(standard) { _, given in given }
            plan.services[index].environment["FLOWFORGE_SERVICE_NAME"] = plan.services[index].name
            plan.services[index].environment["FLOWFORGE_PIPELINE_NAME"] = plan.name
        }
        return plan
    }
}
