import FlowForgeCore
import Foundation
import Logging

/// One pipeline's run as local processes: the plan's services (see `runWithServices`), then its steps as
/// their dependencies allow (`StepGraph`), under the pipeline's timeout.
struct LocalPipelineRun<Observer: RunObserver>: Sendable {
    let request: RunRequest
    let observer: Observer
    let table: LocalProcessTable
    let logger: Logger
    let progress = LocalRunProgress()

    /// Runs every step; returns how the run ended. Every step's process has been reaped when it returns.
    func execute() async -> RunOutcome {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await progress.finish(with: await runSteps())
            }
            group.addTask {
                guard (try? await Task.sleep(for: request.timeout)) != nil else { return }
                await stopForPipelineTimeout()
            }
            // Whichever ends first decides; the other is told to stop and awaited by the group.
            _ = await group.next()
            group.cancelAll()
        }
        return await progress.outcome ?? .canceled
    }

    private func runSteps() async -> RunOutcome {
        do {
            return try await runWithServices()
        } catch is CancellationError {
            return .canceled
        } catch {
            return Task.isCancelled ? .canceled : .error("\(error)")
        }
    }

    /// Marks the run as timed out, then stops every running step so their waits return.
    private func stopForPipelineTimeout() async {
        let step = await progress.currentStep ?? request.plan.steps.first?.name ?? ""
        logger.warning("pipeline timed out", metadata: ["step": "\(step)"])
        await progress.finish(
            with: .timedOut(step: step, message: "pipeline timed out after \(request.timeout.secondsDescription)"))
        for process in table.processes(of: request.pipelineID) { process.terminate() }
    }

    /// Runs the plan's graph (see `StepGraph.run`), each step a process group of its own.
    func schedule() async throws -> RunOutcome {
        try await StepGraph.run(request.plan, maxParallelSteps: request.maxParallelSteps, logger: logger) { step in
            try await run(step)
        }
    }
}

/// What the concurrent parts of a local run share: the steps in progress and the first outcome decided.
actor LocalRunProgress {
    private var running: Set<String> = []
    /// The step entered last, so a timeout between steps still names one.
    private(set) var lastStep: String?
    private(set) var outcome: RunOutcome?
    /// Set before FlowForge stops the services, so that their ends are not taken for crashes.
    private(set) var servicesStopping = false

    func markServicesStopping() { servicesStopping = true }

    var currentStep: String? { running.sorted().first ?? lastStep }

    func enter(step: String) {
        running.insert(step)
        lastStep = step
    }

    func leave(step: String) { running.remove(step) }

    /// The first outcome wins: after a timeout, the killed step's own result is not the story.
    func finish(with outcome: RunOutcome) {
        if self.outcome == nil { self.outcome = outcome }
    }
}
