import FlowForgeForges
import FlowForgeStore
import Logging

extension WebhookController {
    /// After a push pipeline was queued: asks every older unfinished push pipeline of the same repository and
    /// branch to stop, as GitLab's "auto-cancel redundant pipelines" and Woodpecker's cancel-previous do,
    /// so only the newest commit of a busy branch is built. Never on the default branch, whose every commit
    /// is usually wanted built, and not at all when the payload does not say which branch that is.
    ///
    /// Best effort: the new pipeline is already stored and answered for, so a failure here is logged and
    /// the older pipelines just run to their end.
    func autoCancelOlder(than pipeline: PipelineRecord, trigger: Trigger, repository: ConnectedRepository, logger: Logger) async {
        guard repository.autoCancel, trigger.event == "push", let repositoryID = pipeline.repositoryID else { return }
        guard let defaultBranch = trigger.defaultBranch else {
            logger.debug("auto-cancel skipped: the delivery does not name the default branch")
            return
        }
        guard trigger.branch != defaultBranch else { return }
        let pipelines = launcher.pipelines
        do {
            let older = try await pipelines.olderUnfinished(
                userID: pipeline.userID, repositoryID: repositoryID, branch: pipeline.branch, event: pipeline.event,
                createdAt: pipeline.createdAt, excluding: pipeline.id)
            for id in older {
                let outcome = try await pipelines.requestCancel(id: id, userID: pipeline.userID, at: Clock.nowMillis())
                logger.info("older pipeline of the branch auto-canceled", metadata: [
                    "canceled_pipeline_id": "\(id)", "pipeline_id": "\(pipeline.id)", "outcome": "\(outcome.map { "\($0)" } ?? "gone")",
                ])
            }
        } catch {
            logger.error("auto-cancel failed; the older pipelines run on", metadata: ["pipeline_id": "\(pipeline.id)", "error": "\(error)"])
        }
    }
}
