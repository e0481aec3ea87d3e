import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import ServiceLifecycle

/// This process's workers: `slots` loops (MAX_CONCURRENT_PIPELINES) that claim jobs from the database queue,
/// run them, and keep their lease alive meanwhile. On start it removes containers of this installation's
/// pipelines that have finished (left by a crash). On graceful shutdown running pipelines are stopped and their jobs left
/// for another worker, which takes them over once the lease has expired.
struct PipelineWorkerService: Service {
    let jobs: any JobQueue
    let pipelines: any PipelineRepository
    let backend: any Backend
    let executor: PipelineExecutor
    let signal: JobSignal
    let slots: Int
    let lease: Duration
    let pollInterval: Duration
    /// How often a running pipeline's worker looks for a cancel request.
    let cancelPollInterval: Duration
    let owner = "worker-" + UUID().uuidString.lowercased()
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                // Beside the workers, not before them: an unreachable Docker daemon makes the listing wait for
                // the HTTP client's connect timeout, which must not hold up pipelines that fail anyway.
                group.addTask { await reapLeftovers() }
                for slot in 0..<slots {
                    group.addTask { await loop(slot: slot) }
                }
            }
        }
    }

    private func reapLeftovers() async {
        do {
            let leftovers = try await pipelines.finishedIDs(among: try await backend.pipelineIDsWithContainers())
            for id in leftovers {
                let removed = try await backend.remove(pipelineID: id)
                logger.notice("removed leftover containers", metadata: ["pipeline_id": "\(id)", "count": "\(removed)"])
            }
        } catch {
            logger.warning("could not reap leftover containers", metadata: ["error": "\(error)"])
        }
    }

    private func loop(slot: Int) async {
        var logger = self.logger
        logger[metadataKey: "worker_slot"] = "\(slot)"
        while !Task.isCancelled {
            do {
                if let job = try await jobs.claim(owner: owner, now: Clock.nowMillis(), lease: lease.milliseconds) {
                    try await runHoldingLease(job, logger: logger)
                    continue
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("worker error", metadata: ["error": "\(error)"])
            }
            await signal.wait(timeout: pollInterval)
        }
    }

    /// Runs the job while a heartbeat renews its lease. If the lease is lost (this worker was presumed dead
    /// and another took over), the run is cancelled so the pipeline never runs twice at once. If a user asks
    /// to cancel it, the run is cancelled (the backend removes its containers) and then recorded `canceled`.
    private func runHoldingLease(_ job: ClaimedJob, logger: Logger) async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await executor.execute(job)
                    try await jobs.complete(jobID: job.id, owner: owner)
                }
                group.addTask { try await renewLease(job, logger: logger) }
                group.addTask { try await watchForCancel(job) }
                try await group.next()
                group.cancelAll()
            }
        } catch is CancelRequested {
            // The group waited for the run to wind down (containers removed, workspace released) before
            // throwing, so nothing of it is left when the pipeline is marked canceled.
            try await executor.finishCanceled(job, logger: logger)
            try await jobs.complete(jobID: job.id, owner: owner)
        }
    }

    private struct CancelRequested: Error {}

    private func watchForCancel(_ job: ClaimedJob) async throws {
        while true {
            try await Task.sleep(for: cancelPollInterval)
            if try await pipelines.isCancelRequested(id: job.pipelineID) { throw CancelRequested() }
        }
    }

    private func renewLease(_ job: ClaimedJob, logger: Logger) async throws {
        while true {
            try await Task.sleep(for: lease / 3)
            let held = try await jobs.renew(jobID: job.id, owner: owner, until: Clock.nowMillis() + lease.milliseconds)
            if !held {
                logger.warning("lost the lease of a running job; stopping it", metadata: ["job_id": "\(job.id)"])
                throw CancellationError()
            }
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
