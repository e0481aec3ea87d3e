import FlowForgeStore
import Logging

/// Describes pipeline milestones as commit statuses for the outbox; `StatusOutboxService` posts them.
///
/// Only pipelines of a connected GitHub, GitLab or Bitbucket repository get statuses: v1 API pipelines and
/// generic git repositories have no forge to tell. Nothing here throws into the pipeline: a database
/// problem is logged and the pipeline goes on without that status.
struct StatusPublisher: PipelineLifecycleObserver {
    let outbox: any StatusOutboxRepository
    /// `FRONTEND_URL`: statuses link to `<frontend>/pipelines/<id>`.
    let frontendURL: String
    /// Wakes this process's outbox sender, so a status goes out at once rather than at its next poll.
    let signal: JobSignal
    let logger: Logger

    static let forges: Set<String> = ["github", "gitlab", "bitbucket"]

    /// 40 hex digits (SHA-1) or 64 (SHA-256 repositories).
    static func isFullSHA(_ sha: String) -> Bool {
        (sha.count == 40 || sha.count == 64) && sha.allSatisfy(\.isHexDigit)
    }

    func statusStored() async { await signal.notify() }

    func pipelineFinished(_ pipeline: PipelineRecord) async {
        guard let status = await status(for: pipeline, at: .finished) else { return }
        do {
            try await outbox.enqueue(status, now: Clock.nowMillis())
            await signal.notify()
        } catch {
            logger.error("could not queue a commit status; the forge will not show this milestone", metadata: [
                "pipeline_id": "\(pipeline.id)", "error": "\(error)",
            ])
        }
    }

    func status(for pipeline: PipelineRecord, at milestone: StatusMilestone) async -> NewOutboxStatus? {
        guard let repositoryID = pipeline.repositoryID else { return nil }
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(pipeline.id)"
        logger[metadataKey: "repository_id"] = "\(repositoryID)"
        // A queued pipeline may not know its commit yet (a branch to resolve); its `started` status will.
        // Forges take statuses for full commit ids only (Bitbucket's pull request hooks carry 12 digits); the
        // full one is known once the worker fetched the commit, and its `started` status will carry it.
        guard let sha = pipeline.commitSHA, Self.isFullSHA(sha) else {
            logger.debug("no full commit id yet; status left for a later milestone", metadata: ["milestone": "\(milestone)"])
            return nil
        }
        // No forge hears of a queued pipeline: the status context carries the pipeline's `name:`, which is
        // known only once the worker has read flowforge.yml, so a "pending" posted now under the default
        // name would stay pending forever beside the named one. (On GitHub, whose statuses have no neutral
        // state, it could also never be cleared if `when` skips the pipeline.) Every forge hears first
        // from the "running" status, which the executor asks for once the plan is known to run. Decided
        // before any lookup: every webhook delivery asks, and the answer needs no database.
        if milestone == .queued {
            logger.debug("no queued status; the running status comes once the plan runs and its name is known")
            return nil
        }
        do {
            guard let target = try await outbox.target(repositoryID: repositoryID), Self.forges.contains(target.provider) else { return nil }
            let status = StatusContent(pipeline: pipeline, milestone: milestone)
            guard status.state.isShown(on: target.provider) else {
                logger.debug("nothing to post for this state on this forge", metadata: ["state": "\(status.state)"])
                return nil
            }
            return NewOutboxStatus(
                pipelineID: pipeline.id, repositoryID: repositoryID, provider: target.provider,
                repositoryFullName: target.fullName, sha: sha, context: StatusContent.context(for: pipeline),
                sequence: milestone.sequence(createdAt: pipeline.createdAt), state: status.state.rawValue,
                description: status.description, targetURL: "\(frontendURL)/dashboard/pipelines/\(pipeline.id)"
            )
        } catch {
            logger.error("could not look up where a commit status goes; the forge will not show this milestone", metadata: [
                "milestone": "\(milestone)", "error": "\(error)",
            ])
            return nil
        }
    }
}
