import FlowForgeStore
import Foundation
import Hummingbird

extension PipelineController {
    /// `POST /api/v1/pipelines/:id/restart` → 201 with a new pipeline that runs the same thing again: the same
    /// repository, branch and commit (the one the original resolved, not the branch's head now), event,
    /// `commands` and `env`. The original is left as it was. Only an ended pipeline can be restarted (409
    /// otherwise), and its URL must still pass the repository URL policy.
    @Sendable func restart(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<PipelineView> {
        let original = try await find(context)
        guard original.status.isFinished else {
            throw APIError(
                .conflict, code: "pipeline_not_finished",
                message: "pipeline \(original.id) is still \(original.status.rawValue); wait for it to end, or cancel it, then restart it")
        }
        if UploadedSources.isUpload(original) {
            throw APIError(
                .conflict, code: "pipeline_not_restartable",
                message: "pipeline \(original.id) ran an uploaded source, which is not kept once a pipeline ends; upload it again with POST /api/v1/pipelines")
        }
        var pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: original.userID, repositoryID: original.repositoryID,
            repoURL: try await restartURL(of: original), branch: original.branch, commitSHA: original.commitSHA,
            event: original.event, commands: original.commands, environment: original.environment,
            // A fork's pull request stays one when run again: still a stranger's code, still read-only.
            createdAt: Clock.nowMillis(), fork: original.fork, fetchRef: original.fetchRef
        )
        // The same commit and pull request; the name is read from the file again.
        pipeline.commitMessage = original.commitMessage
        pipeline.commitAuthor = original.commitAuthor
        pipeline.pullRequestNumber = original.pullRequestNumber
        pipeline.targetBranch = original.targetBranch
        pipeline.repositoryName = original.repositoryName
        pipeline.changedFiles = original.changedFiles
        do {
            try await launcher.launch(pipeline, logger: context.logger)
        } catch let refusal as PlanLimitRefusal {
            throw refusal.apiError
        }
        context.logger.info("pipeline restarted", metadata: ["pipeline_id": "\(pipeline.id)", "restarted_from": "\(original.id)"])
        return EditedResponse(status: .created, response: PipelineView(pipeline, steps: []))
    }

    /// A pipeline of a connected repository clones from the URL a new delivery would use, rebuilt now: the
    /// forge's own host for forge repositories. The row's URL may predate that rule (a clone URL from a
    /// delivery or from the connection), and the repository's credentials must never go to another host.
    /// A fork's pull request on a forge without pull request refs (Bitbucket) clones the fork itself: its
    /// name is read back from the stored URL, which must already point at the forge's host. Pipelines
    /// without a repository go through the URL policy again.
    func restartURL(of original: PipelineRecord) async throws -> String {
        guard let repositoryID = original.repositoryID else { return try await urlPolicy.check(original.repoURL) }
        guard let repository = try await repositories.find(id: repositoryID, userID: original.userID) else {
            throw APIError(.conflict, code: "repository_disconnected",
                           message: "the repository of pipeline \(original.id) is no longer connected; connect it again and push, instead of restarting")
        }
        guard original.fork, original.fetchRef == nil, let base = hosts.cloneURL(provider: repository.provider, fullName: "") else {
            return hosts.cloneURL(for: repository)
        }
        // `base` is "<forge host>/.git": the fork's URL is "<forge host>/<workspace>/<slug>.git".
        let host = String(base.dropLast(".git".count))
        guard original.repoURL.hasPrefix(host), original.repoURL.hasSuffix(".git") else {
            throw APIError(.conflict, code: "pipeline_not_restartable",
                           message: "pipeline \(original.id) cloned a fork from outside \(repository.provider)'s host; push to the pull request again instead of restarting")
        }
        let head = RepositoryName.key(String(original.repoURL.dropFirst(host.count).dropLast(".git".count)), provider: repository.provider)
        let segments = head.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == 2, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
              let url = hosts.cloneURL(provider: repository.provider, fullName: head) else {
            throw APIError(.conflict, code: "pipeline_not_restartable",
                           message: "pipeline \(original.id) cloned a fork whose name FlowForge cannot read back; push to the pull request again instead of restarting")
        }
        return url
    }
}
