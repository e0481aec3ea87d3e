import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging

/// Records what a run reports: step states in the database (fenced by the job's claim), output in the log
/// store. A storage failure is logged and the run goes on; losing a status line is better than killing a
/// build. Once the claim is lost nothing more is written: the job belongs to another worker.
struct StepRecorder: RunObserver {
    let job: ClaimedJob
    let lease: LeaseWatch
    let pipelines: any PipelineRepository
    let logs: any LogStore
    let logger: Logger
    /// The run's log cap (`FLOWFORGE_MAX_LOG_BYTES`); nil for none.
    var budget: PipelineLogBudget? = nil

    func stepStarted(_ step: String, at: Date) async {
        await record(step) {
            try await pipelines.updateStep(job, name: step, status: .running, exitCode: nil, startedAt: Clock.millis(at), finishedAt: nil)
        }
    }

    func stepOutput(_ step: String, _ chunk: [UInt8]) async {
        // Past the cap the chunk is dropped here, after the backend has read it: the step is never held up.
        guard let chunk = budget.map({ $0.admit(chunk) }) ?? chunk else { return }
        await record(step) { try await logs.append(pipelineID: job.pipelineID, step: step, bytes: chunk) }
    }

    func stepFinished(_ step: String, exitCode: Int32?, at: Date) async {
        // A run being stopped (cancel request, shutdown, lost lease) kills its step: that exit is not the script's.
        let status: StepStatus = Task.isCancelled ? .canceled : exitCode == 0 ? .success : .failure
        await record(step) {
            try await pipelines.updateStep(
                job, name: step, status: status, exitCode: exitCode.map(Int.init), startedAt: nil, finishedAt: Clock.millis(at)
            )
        }
    }

    private func record(_ step: String, _ body: () async throws -> Void) async {
        guard !lease.isLost else { return }
        do {
            try await body()
        } catch StoreError.leaseLost {
            lease.markLost()
            logger.warning("the job's claim was lost; this run records nothing more", metadata: ["step": "\(step)"])
        } catch {
            logger.error("could not record step progress", metadata: ["step": "\(step)", "error": "\(error)"])
        }
    }
}
