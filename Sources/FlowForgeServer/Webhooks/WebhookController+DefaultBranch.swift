import FlowForgeForges
import FlowForgeStore
import Logging

extension WebhookController {
    /// Keeps the default branch a signed push names (GitHub and GitLab send it), so a badge request without
    /// `?branch=` shows that branch. Best effort, like auto-cancel: the pipeline is already queued.
    func rememberDefaultBranch(_ trigger: Trigger, repository: ConnectedRepository, logger: Logger) async {
        guard let branch = trigger.defaultBranch, !branch.isEmpty, branch != repository.defaultBranch else { return }
        do {
            try await badges.recordDefaultBranch(id: repository.id, branch: branch)
        } catch {
            logger.warning("the default branch was not recorded", metadata: ["error": "\(error)"])
        }
    }
}
