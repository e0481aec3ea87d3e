import FlowForgeCore

extension DockerPipelineRun {
    /// What a child of `runWithServices`'s task group came to.
    private enum RunPart: Sendable {
        case steps(RunOutcome)
        case service(ServiceEnd)
    }

    /// Starts the plan's services in the pod (in plan order), waits for their ports, runs the steps
    /// (`schedule`), then stops the services. A service that exits by itself before the steps end fails the
    /// run at once: the running steps are killed, no other step starts. A service that cannot be started
    /// ends the run with an error naming it; so do ports still closed after the readiness timeout. Every
    /// service container is killed before this returns or throws.
    func runWithServices(pod: String) async throws -> RunOutcome {
        let services = request.plan.services
        guard !services.isEmpty else { return try await schedule(networkMode: "container:\(pod)") }
        return try await withThrowingTaskGroup(of: RunPart.self) { group in
            do {
                for service in services {
                    let container = try await startService(service, pod: pod)
                    group.addTask { .service(try await followService(service, container: container)) }
                }
                group.addTask {
                    if let notReady = try await waitForServices(pod: pod) { return .steps(notReady) }
                    return .steps(try await schedule(networkMode: "container:\(pod)"))
                }
                while let part = try await group.next() {
                    switch part {
                    case .service(.stopped):
                        continue
                    case .service(.exited(let service, let code)):
                        let outcome = RunOutcome.serviceExited(service, exitCode: code)
                        // Decided before the kills, so the killed steps' ends are not read as their own failures.
                        await progress.finish(with: outcome)
                        for container in await progress.runningContainers {
                            try? await client.killContainer(container)
                        }
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
