import FlowForgeCore
import Logging

extension DockerPipelineRun {
    /// Runs the plan's graph (see `StepGraph.run`), each step in its own container with `networkMode`
    /// (`container:<pod>` to join the pod, else the network itself).
    /// A Docker error in any step ends the whole run: it is thrown, and the other running steps are
    /// cancelled (their containers are removed by the caller's cleanup).
    func schedule(networkMode: String) async throws -> RunOutcome {
        try await StepGraph.run(request.plan, maxParallelSteps: request.maxParallelSteps, logger: logger) { step in
            do {
                let stop = try await run(step, networkMode: networkMode)
                await progress.leave(step: step.name)
                return stop
            } catch {
                await progress.leave(step: step.name)
                throw error
            }
        }
    }
}
