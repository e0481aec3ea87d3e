import FlowForgeStore
import Foundation
import Logging
import ServiceLifecycle

/// Posts the commit statuses of the outbox: `concurrency` loops that claim due rows under a lease, send
/// them, and record the outcome: delivered, retried later (backoff with jitter, or when the forge said),
/// or given up (a refusal retrying cannot fix, or older than a day). A forge that is down delays its
/// statuses and loses none; pipelines never wait for it. Several processes may run this at once.
struct StatusOutboxService: Service {
    let outbox: any StatusOutboxRepository
    let sender: StatusSender
    let policy: StatusRetryPolicy
    let signal: JobSignal
    var concurrency = 4
    /// Longer than a send may take (its timeout is 30 s), so a slow send is not taken over while it runs.
    var lease: Duration = .seconds(90)
    var pollInterval: Duration = .seconds(1)
    let owner = "statuses-" + UUID().uuidString.lowercased()
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for _ in 0..<concurrency {
                    group.addTask { await loop() }
                }
            }
        }
    }

    private func loop() async {
        while !Task.isCancelled {
            do {
                if let row = try await outbox.claim(owner: owner, now: Clock.nowMillis(), lease: lease.milliseconds) {
                    try await deliver(row)
                    continue
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("status outbox error", metadata: ["error": "\(error)"])
            }
            await signal.wait(timeout: pollInterval)
        }
    }

    /// Sends one claimed row and records what happened. Internal so tests can drive single attempts.
    func deliver(_ row: OutboxStatus) async throws {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(row.status.pipelineID)"
        logger[metadataKey: "status_id"] = "\(row.id)"
        logger[metadataKey: "provider"] = "\(row.status.provider)"
        guard let target = try await outbox.target(repositoryID: row.status.repositoryID) else {
            try await outbox.markFailed(id: row.id, owner: owner, error: "the repository was disconnected")
            return
        }
        let now = Clock.nowMillis()
        switch await sender.send(row, to: target) {
        case .delivered:
            try await outbox.markDelivered(id: row.id, owner: owner, at: now)
            logger.debug("commit status delivered", metadata: ["state": "\(row.status.state)", "attempts": "\(row.attempts)"])
        case .rejected(let reason):
            try await outbox.markFailed(id: row.id, owner: owner, error: reason)
            logger.warning("forge refused a commit status; not retrying", metadata: ["reason": "\(reason)"])
        case .retry(let notBefore, let reason):
            let next = notBefore ?? (Clock.nowMillis() + policy.backoff(attempts: row.attempts))
            if next - row.createdAt > policy.giveUpAfterMillis {
                try await outbox.markFailed(id: row.id, owner: owner, error: "gave up after \(row.attempts) attempts; last: \(reason)")
                logger.error("gave up on a commit status", metadata: ["attempts": "\(row.attempts)", "reason": "\(reason)"])
            } else {
                try await outbox.reschedule(id: row.id, owner: owner, nextAttemptAt: next, error: reason)
                logger.notice("commit status not delivered; will retry", metadata: [
                    "attempts": "\(row.attempts)", "retry_in_ms": "\(next - Clock.nowMillis())", "reason": "\(reason)",
                ])
            }
        }
    }
}
