import FlowForgeStore

extension PipelineExecutor {
    /// What every step is told about its pipeline, as Woodpecker's `CI_*` and GitHub Actions' `GITHUB_*`
    /// variables do. Laid over the file's and the request's `env`, so that a step can trust them: a
    /// repository cannot make `FLOWFORGE_COMMIT_SHA` say another commit. `FLOWFORGE_STEP_NAME` and
    /// `FLOWFORGE_PIPELINE_NAME` are added per plan.
    ///
    /// `FLOWFORGE_BRANCH` is empty for tags and `FLOWFORGE_TAG` empty for everything else; the pull request
    /// variables are set only for pull requests; message and author only when the forge sent them.
    static func standardEnvironment(of pipeline: PipelineRecord, commit: String) -> [String: String] {
        let isTag = pipeline.event == "tag"
        var environment = [
            "CI": "true",
            "FLOWFORGE": "true",
            "FLOWFORGE_PIPELINE_ID": pipeline.id,
            "FLOWFORGE_COMMIT_SHA": commit,
            "FLOWFORGE_BRANCH": isTag ? "" : pipeline.branch,
            "FLOWFORGE_TAG": isTag ? pipeline.branch : "",
            "FLOWFORGE_EVENT": pipeline.event,
            "FLOWFORGE_REPO": pipeline.repositoryName ?? pipeline.repoURL,
        ]
        if pipeline.event == "pull_request" {
            if let number = pipeline.pullRequestNumber { environment["FLOWFORGE_PR_NUMBER"] = String(number) }
            if let target = pipeline.targetBranch { environment["FLOWFORGE_TARGET_BRANCH"] = target }
        }
        if let message = pipeline.commitMessage { environment["FLOWFORGE_COMMIT_MESSAGE"] = message }
        if let author = pipeline.commitAuthor { environment["FLOWFORGE_COMMIT_AUTHOR"] = author }
        return environment
    }
}
