import FlowForgeCore
import FlowForgeStore

extension PipelineExecutor {
    /// What every step is told about its pipeline (`PipelineFacts`). Laid over the file's and the request's
    /// `env`, so that a step can trust them: a repository cannot make `FLOWFORGE_COMMIT_SHA` say another
    /// commit. `FLOWFORGE_STEP_NAME` and `FLOWFORGE_PIPELINE_NAME` are added per plan.
    static func standardEnvironment(of pipeline: PipelineRecord, commit: String) -> [String: String] {
        PipelineFacts(
            pipelineID: pipeline.id, commit: commit, branch: pipeline.branch, event: pipeline.event,
            repository: pipeline.repositoryName ?? pipeline.repoURL, pullRequestNumber: pipeline.pullRequestNumber,
            targetBranch: pipeline.targetBranch, commitMessage: pipeline.commitMessage, commitAuthor: pipeline.commitAuthor
        ).environment
    }
}
