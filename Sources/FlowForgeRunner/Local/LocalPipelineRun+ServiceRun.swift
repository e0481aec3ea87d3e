import FlowForgeCore

extension LocalPipelineRun {
    /// What a child of `runWithServices`'s task group came to.
    private enum RunPart: Sendable {
        case steps(RunOutcome)
        case service(ServiceEnd)
    }

    /// Starts the plan's services (in plan order), waits for their ports, runs the steps (`schedule`), then
    /// stops the services: the same course as on Docker. A service that exits by itself before the steps
    /// end fails the run at once: the running steps are killed, no other step starts. Every service's
    /// process group has been ended when this returns or throws.
    func runWithServices() async throws -> RunOutcome {
        let services = request.plan.services
        guard !services.isEmpty else { return try await schedule() }
        if let problem = await servicesProblem() { return problem }
        return try await withThrowingTaskGroup(of: RunPart.self) { group in
            do {
                for service in services {
                    let process = try await startService(service)
                    group.addTask { .service(await followService(service, process: process)) }
                }
                group.addTask {
                    if let notReady = try await waitForServices() { return .steps(notReady) }
                    return .steps(try await schedule())
                }
                while let part = try await group.next() {
                    switch part {
                    case .service(.stopped):
                        continue
                    case .service(.exited(let service, let code)):
                        let outcome = RunOutcome.serviceExited(service, exitCode: code)
                        // Decided before the kills, so the killed steps' ends are not read as their own failures.
                        await progress.finish(with: outcome)
                        for process in table.processes(of: request.pipelineID) { process.terminate() }
                        await stopServices()
                        group.cancelAll()
                        return outcome
                    case .steps(let outcome):
                        // Leaving the group awaits the followers, which report each service's end.
                        await stopServices()
                        return outcome
                    }
                }
                return .canceled
            } catch {
                await stopServices()
                throw error
            }
        }
    }
}
