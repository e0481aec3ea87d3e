import FlowForgeCore
import FlowForgeStore
import Foundation
import Logging

extension PipelineExecutor {
    /// The files `when.path` is matched against: the webhook's list when it had one, else, for a pull
    /// request, what the pull request changed since it forked from its target branch (pull request hooks
    /// carry no file list), computed in the just checked-out workspace. Nil (every `when.path` matches)
    /// when neither is known; a failed computation says so in one log line, since the pipeline then runs
    /// steps its file filters would have left out.
    ///
    /// Only computed when some `when` of the file has a path filter: the diff is not free on big histories.
    func changedFiles(
        of pipeline: PipelineRecord, config: PipelineConfig, commit: String, workspace: URL, logger: Logger
    ) async -> [String]? {
        if let known = pipeline.changedFiles { return known }
        guard let target = pipeline.targetBranch, Self.usesPathFilters(config) else { return nil }
        // A fork cloned from the fork itself (Bitbucket) holds the fork's copy of the target branch, which may
        // be ahead of the real one and would hide some of the pull request's changes.
        if pipeline.fork && pipeline.fetchRef == nil {
            logger.warning("when.path could not be evaluated, so every path filter matches: this pull request is cloned from its fork, which has no trustworthy copy of the target branch",
                metadata: ["target_branch": "\(target)"])
            return nil
        }
        switch await git.changedPaths(in: workspace, targetBranch: target, head: commit) {
        case .success(let paths):
            logger.debug("computed the pull request's changed files", metadata: ["changed_files": "\(paths.count)", "target_branch": "\(target)"])
            return paths
        case .failure(let error):
            logger.warning("when.path could not be evaluated, so every path filter matches: \(error.description)",
                metadata: ["target_branch": "\(target)", "commit": "\(commit)"])
            return nil
        }
    }

    static func usesPathFilters(_ config: PipelineConfig) -> Bool {
        if let when = config.when, when.path != .any { return true }
        return config.steps.contains { ($0.when?.path ?? .any) != .any }
    }
}
