import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// This process's workers: `slots` loops (MAX_CONCURRENT_PIPELINES) that claim jobs from the database queue,
/// run them, and keep their lease alive meanwhile.
///
/// On graceful shutdown (SIGTERM) the loops stop claiming; running pipelines get `drain.grace` to finish,
/// then they are stopped and their jobs handed back at once, queued again without using an attempt, so a
/// rolling deploy neither waits for a lease to expire nor counts as a worker that died.
struct PipelineWorkerService: Service {
    let jobs: any JobQueue
    let pipelines: any PipelineRepository
    let executor: PipelineExecutor
    let signal: JobSignal
    let slots: Int
    let lease: Duration
    let pollInterval: Duration
    /// How often a running pipeline's worker looks for a cancel request.
    let cancelPollInterval: Duration
    let drain: DrainSignal
    /// Names this process in claim tokens and logs.
    let worker = "worker-" + UUID().uuidString.lowercased()
    let logger: Logger

    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for slot in 0..<slots {
                    group.addTask { await loop(slot: slot) }
                }
            }
        } onGracefulShutdown: { [drain, signal] in
            drain.begin()
            // Idle loops wait on the signal: wake them so they see the drain at once.
            Task { await signal.notify() }
        }
    }

    private func loop(slot: Int) async {
        var logger = self.logger
        logger[metadataKey: "worker_slot"] = "\(slot)"
        while !Task.isCancelled && !drain.isDraining {
            do {
                if let job = try await jobs.claim(worker: worker, lease: lease.milliseconds) {
                    if drain.isDraining {
                        // The claim was in flight when the shutdown began: give the job back untouched.
                        _ = try await jobs.release(job)
                        return
                    }
                    await runHoldingLease(job, logger: logger)
                    // A pipeline of the same account may have waited for this build slot: wake the idle loops.
                    await signal.notify()
                    continue
                }
            } catch {
                // One bad claim (a database hiccup) must not end the loop: capacity would shrink until a restart.
                logger.error("could not claim a job", metadata: ["error": "\(error)"])
            }
            await signal.wait(timeout: pollInterval)
        }
    }

    /// Why a run was stopped from outside.
    private enum Stop: Error {
        case cancelRequested, leaseLost, shutdown
    }

    /// Runs the job while a heartbeat renews its lease. If the lease is lost (this worker was presumed dead
    /// and another took over), the run is stopped and records nothing more. If a user asks to cancel it, the
    /// run is stopped (the backend removes its containers) and then recorded `canceled`. If the process shuts
    /// down, the run gets the grace period, then is stopped and its job handed back. Never throws: whatever
    /// happens to one job, the slot goes on with the next.
    private func runHoldingLease(_ job: ClaimedJob, logger slotLogger: Logger) async {
        var jobLogger = slotLogger
        jobLogger[metadataKey: "pipeline_id"] = "\(job.pipelineID)"
        jobLogger[metadataKey: "job_id"] = "\(job.id)"
        let logger = jobLogger
        let watch = LeaseWatch()
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await executor.execute(job, lease: watch)
                    _ = try await jobs.complete(job)
                }
                group.addTask { try await keepLease(job, watch: watch, logger: logger) }
                group.addTask { try await watchForCancel(job, logger: logger) }
                group.addTask {
                    await drain.deadline()
                    try Task.checkCancellation()
                    throw Stop.shutdown
                }
                try await group.next()
                group.cancelAll()
            }
        } catch Stop.cancelRequested {
            // The group waited for the run to wind down (containers removed, workspace released) before
            // throwing, so nothing of it is left when the pipeline is marked canceled.
            await record("record a canceled pipeline", logger: logger) { try await executor.finishCanceled(job, logger: logger) }
        } catch Stop.leaseLost, StoreError.leaseLost {
            watch.markLost()
            logger.warning("lost the claim on a running job; another worker has it now")
        } catch Stop.shutdown, is CancellationError {
            await record("hand back a job", logger: logger) {
                if try await jobs.release(job) { logger.notice("stopped by shutdown; job handed back for another worker") }
            }
        } catch {
            // The job stays claimed until its lease expires; then a worker takes it over as attempt + 1.
            logger.error("pipeline run failed", metadata: ["error": "\(error)"])
        }
    }

    private func record(_ what: String, logger: Logger, _ body: () async throws -> Void) async {
        do {
            try await body()
        } catch StoreError.leaseLost {
            logger.warning("could not \(what): another worker holds the job now")
        } catch {
            logger.error("could not \(what)", metadata: ["error": "\(error)"])
        }
    }

    private func watchForCancel(_ job: ClaimedJob, logger: Logger) async throws {
        while true {
            try await Task.sleep(for: cancelPollInterval)
            do {
                if try await pipelines.isCancelRequested(id: job.pipelineID) { throw Stop.cancelRequested }
            } catch let stop as Stop {
                throw stop
            } catch {
                // A transient database error delays the cancel by a poll; it must not stop a healthy run.
                logger.warning("could not check for a cancel request", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Renews the lease every third of its length. A renewal that fails (the database is briefly away) is
    /// retried until the lease would have run out by this process's monotonic clock: only then, or when the
    /// database says another claim holds the job, is the lease lost. Once the run's end is recorded
    /// (`LeaseWatch.isEnded`, which also ends the job) it stops renewing and waits for the group to end.
    private func keepLease(_ job: ClaimedJob, watch: LeaseWatch, logger: Logger) async throws {
        let clock = ContinuousClock()
        var heldUntil = clock.now + lease
        while true {
            try await Task.sleep(for: lease / 3)
            while true {
                // Recorded as ended (the job is done): nothing to renew while the clean-up finishes.
                if watch.isEnded { try await Self.untilCancelled() }
                let attempt = clock.now
                do {
                    // A renewal that hangs (a pool wait, a dead connection) must not let the run go on past
                    // the lease: it gets until the margin before `heldUntil`, then counts as failed.
                    let renewed = try await Self.within(heldUntil - lease / 10 - attempt) { [jobs, lease] in
                        try await jobs.renew(job, lease: lease.milliseconds)
                    }
                    if renewed == true {
                        heldUntil = attempt + lease
                        break
                    }
                    if renewed == false {
                        if watch.isEnded { try await Self.untilCancelled() }
                        watch.markLost()
                        throw Stop.leaseLost
                    }
                    throw RenewalTimedOut()
                } catch let stop as Stop {
                    throw stop
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // Leave a margin: past `heldUntil` another worker may already have claimed the job.
                    let retry = min(lease / 10, .seconds(1))
                    if clock.now + retry >= heldUntil - lease / 10 {
                        logger.error("could not renew the lease in time; stopping the run", metadata: ["error": "\(error)"])
                        watch.markLost()
                        throw Stop.leaseLost
                    }
                    logger.warning("could not renew the lease; retrying", metadata: ["error": "\(error)"])
                    try await Task.sleep(for: retry)
                }
            }
        }
    }
}

private struct RenewalTimedOut: Error {}

extension PipelineWorkerService {
    /// Returns only by throwing `CancellationError`: a child of the run's task group that has nothing left to
    /// do, and must not end the group by returning.
    static func untilCancelled() async throws -> Never {
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}

extension PipelineWorkerService {
    /// `body`'s result if it returns within `limit`, else nil (it then finishes, or not, on its own: a call
    /// that ignores cancellation cannot hold up the caller). Rethrows `body`'s error.
    static func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T?, any Error>) in
            let once = ResumeOnce(continuation)
            let work = Task {
                do { once.resume(with: .success(try await body())) } catch { once.resume(with: .failure(error)) }
            }
            Task {
                try? await Task.sleep(for: max(limit, .zero))
                once.resume(with: .success(nil))
                work.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first result it is given and ignores the rest.
private final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = Mutex(continuation) }

    func resume(with result: Result<T, any Error>) {
        continuation.withLock { stored in
            defer { stored = nil }
            return stored
        }?.resume(with: result)
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
