import FlowForgeGit
import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// Looks after the machine every `FLOWFORGE_REAP_INTERVAL`, so no crash, stubborn workspace or busy account
/// fills the disk: removes containers of finished pipelines (left by a crash, or by a cleanup that failed),
/// sweeps workspaces of finished pipelines, deletes logs past `FLOWFORGE_LOG_RETENTION_DAYS`, prunes old
/// jobs, deliveries and statuses, and evicts git mirrors beyond `FLOWFORGE_MIRROR_CACHE_MAX_BYTES`.
///
/// Each part fails on its own (logged) without stopping the others or the next pass. Several replicas may
/// sweep at once: every removal is idempotent.
struct HousekeepingService: Service {
    let backend: any Backend
    let pipelines: any PipelineRepository
    let retention: any RetentionRepository
    let logs: any LogStore
    let git: GitMirrorCache
    let workspaceRoot: URL
    let settings: OperationsSettings
    let logger: Logger
    /// With billing on: accounts whose `past_due` grace (`FLOWFORGE_BILLING_GRACE_DAYS`) ran out go to free.
    var billing: (any BillingRepository)? = nil
    var graceDays = 7
    /// The steps' kept files, which expire with their pipeline's logs.
    var artifacts: (any ArtifactRepository)? = nil
    var artifactStore: (any ArtifactStore)? = nil

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await sweep()
                try? await Task.sleep(for: .seconds(settings.reapIntervalSeconds))
            }
        }
    }

    /// One pass over everything; also what tests call.
    func sweep() async {
        await attempt("remove leftover containers") { try await reapContainers() }
        await attempt("sweep workspaces") { try await sweepWorkspaces() }
        await attempt("delete expired logs") { try await expireLogs() }
        await attempt("prune old records") {
            let cutoff = Clock.nowMillis() - Int64(settings.recordRetentionDays) * 86_400_000
            let pruned = try await retention.pruneRecords(before: cutoff)
            if pruned != PrunedRecords() {
                logger.info("pruned old records", metadata: [
                    "jobs": "\(pruned.jobs)", "deliveries": "\(pruned.deliveries)", "statuses": "\(pruned.statuses)", "sources": "\(pruned.sources)",
                ])
            }
        }
        if let billing {
            await attempt("end expired billing grace periods") {
                // past_due_since is on the database's clock; the cutoff must be too.
                let now = try await billing.now()
                let ended = try await billing.endExpiredGrace(pastDueSince: now - Int64(graceDays) * 86_400_000, at: now)
                if ended > 0 { logger.notice("past_due accounts moved to free after the grace period", metadata: ["count": "\(ended)"]) }
            }
        }
        let evicted = await git.evict(toFit: settings.mirrorCacheMaxBytes)
        if evicted > 0 { logger.info("evicted git mirrors over the cache size", metadata: ["count": "\(evicted)"]) }
    }

    private func attempt(_ what: String, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch {
            logger.warning("housekeeping could not \(what)", metadata: ["error": "\(error)"])
        }
    }

    private func reapContainers() async throws {
        let finished = try await pipelines.finishedIDs(among: try await backend.pipelineIDsWithContainers())
        for id in finished {
            let removed = try await backend.remove(pipelineID: id)
            logger.notice("removed leftover containers", metadata: ["pipeline_id": "\(id)", "count": "\(removed)"])
        }
    }

    /// Workspaces are removed by their run; what is left belongs to a run that crashed or could not remove it.
    /// Only entries of pipelines that have ended are touched: a running pipeline's workspace is in use.
    private func sweepWorkspaces() async throws {
        let root = workspaceRoot
        let entries = try await NIOThreadPool.singleton.runIfActive { WorkspaceSweeper.entries(in: root) }
        guard !entries.isEmpty else { return }
        let finished = try await pipelines.finishedIDs(among: Set(entries.map(\.pipelineID)))
        for entry in entries where finished.contains(entry.pipelineID) {
            let url = entry.url
            let gone = try await NIOThreadPool.singleton.runIfActive { WorkspaceSweeper.remove(url) }
            if gone {
                logger.notice("swept a leftover workspace", metadata: ["pipeline_id": "\(entry.pipelineID)"])
            } else {
                logger.error("a leftover workspace cannot be removed; check its permissions and attributes", metadata: [
                    "pipeline_id": "\(entry.pipelineID)", "path": "\(url.path)",
                ])
            }
        }
    }

    private func expireLogs() async throws {
        let cutoff = Clock.nowMillis() - Int64(settings.logRetentionDays) * 86_400_000
        while true {
            let batch = try await retention.pipelinesWithLogsEndedBefore(cutoff, limit: 200)
            for id in batch {
                try await logs.removeAll(pipelineID: id)
                try await expireArtifacts(pipelineID: id)
                try await retention.markLogsExpired(pipelineID: id, at: Clock.nowMillis())
            }
            if batch.count < 200 { return }
        }
    }

    /// Rows first, then bytes: a replica that dies in between leaves unreachable bytes, never a listed
    /// artifact that cannot be downloaded.
    private func expireArtifacts(pipelineID: String) async throws {
        guard let artifacts, let artifactStore else { return }
        for key in try await artifacts.removeAll(pipelineID: pipelineID) {
            try await artifactStore.delete(key: key)
        }
    }
}
