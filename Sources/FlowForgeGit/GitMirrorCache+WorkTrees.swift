import Foundation
import Logging

extension GitMirrorCache {
    /// Ends a workspace made by `checkout`: kept as `owner`'s tree of `repoURL` for the next checkout when
    /// reuse is on and the slot is free, removed otherwise. Call it once the containers using it are gone.
    /// Never throws: a workspace that cannot be kept or removed is logged.
    public func release(workspace: URL, repoURL: String, owner: String?, logger: Logger) async {
        let workTrees = self.workTrees
        let key = owner.map { Self.workTreeKey(owner: $0, remote: GitRemoteURL(repoURL)) }
        let scratch = workspace.deletingLastPathComponent()
        _ = await runBlocking { () -> Result<Void, GitError> in
            if let key, let workTrees, workTrees.keep(workspace, key: key) {
                workTrees.evictBeyondCapacity(sparing: key, scratch: scratch)
            } else {
                Self.removeWorkspace(workspace)
            }
            return .success(())
        }
        if FileManager.default.fileExists(atPath: workspace.path) {
            logger.warning("could not remove the workspace", metadata: ["workspace": "\(workspace.path)"])
        }
    }

    /// Removes a workspace and what its checkout left beside it.
    public static func removeWorkspace(_ workspace: URL) {
        let leftovers = [
            workspace, WorkTreeCache.indexSnapshot(of: workspace), WorkTreeCache.partsDirectory(of: workspace),
            WorkspaceCheckout.cloneScratch(of: workspace),
        ]
        for path in leftovers {
            try? FileManager.default.removeItem(at: path)
        }
    }

    static func workTreeKey(owner: String, remote: GitRemoteURL) -> String {
        hashHex("\(owner)\n\(remote.redacted)")
    }
}

/// Everything a workspace write needs, made on the caller's side and run on the thread pool.
struct WorkspacePlan: Sendable {
    let mirror: MirrorLocation
    let remote: GitRemoteURL
    let commitSHA: String
    let workspace: URL
    let workTrees: WorkTreeCache?
    /// Nil when this checkout may not reuse a kept tree.
    let reuseKey: String?

    /// Brings the kept tree for `reuseKey` to the commit if there is one, else writes a fresh tree.
    /// Returns whether a kept tree was reused. Blocking.
    func write(logger: Logger) -> Result<Bool, WorkspaceWriteFailure> {
        if let claimed = reuseKey.flatMap({ workTrees?.claim(key: $0, into: workspace) }) {
            // A kept tree is an optimisation: if it cannot be brought to the commit, start afresh.
            if case .success = attempt(keptIndex: claimed.index) { return .success(true) }
            GitMirrorCache.removeWorkspace(workspace)
            // Files a step made that this process may not delete (FlowForge running as a user other than
            // the containers' root) must not stop the fresh checkout: they are moved out of its way.
            if FileManager.default.fileExists(atPath: workspace.path) {
                let aside = URL(fileURLWithPath: workspace.path + ".unremovable-\(UUID().uuidString)")
                try? FileManager.default.moveItem(at: workspace, to: aside)
                logger.warning("a kept work tree could not be removed; moved aside", metadata: ["path": "\(aside.path)"])
            }
        }
        return attempt(keptIndex: nil).map { false }
    }

    private func attempt(keptIndex: URL?) -> Result<Void, WorkspaceWriteFailure> {
        WorkspaceCheckout(
            mirrorPath: mirror.directory.path, remote: remote, commitSHA: commitSHA, workspace: workspace,
            keptIndex: keptIndex, snapshotsIndex: reuseKey != nil && (workTrees?.capacity ?? 0) > 0
        ).run()
    }
}
