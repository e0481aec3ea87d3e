import FlowForgeCore
import Foundation
import Logging

extension LocalPipelineRun {
    /// How one service's process ended, as the run sees it.
    enum ServiceEnd: Sendable {
        /// It exited on its own while the steps still needed it.
        case exited(PlanService, Int32)
        /// FlowForge stopped it: the steps are over, or the run ended otherwise.
        case stopped
    }

    /// Starts the service's commands as `/bin/sh -c` in the workspace, leading a process group of its own
    /// (as a step), with a step's environment rules. The observer hears `stepStarted` under its `logName`
    /// and the local backend's notice; when it cannot be started, `stepFinished` with no exit code too, and
    /// the error is thrown.
    func startService(_ service: PlanService) async throws -> LocalProcess {
        await observer.stepStarted(service.logName, at: Date())
        await observer.stepOutput(service.logName, Array(LocalBackend.serviceNotice.utf8))
        do {
            try Task.checkCancellation()
            let environment = environment(from: service.containerEnvironment(secrets: request.secrets))
            let process = try LocalProcess.spawn(script: service.script ?? "", environment: environment, directory: request.workspace)
            table.add(process, pipelineID: request.pipelineID, step: service.logName)
            logger.debug("service started", metadata: ["service": "\(service.name)", "pid": "\(process.pid)"])
            return process
        } catch {
            await observer.stepFinished(service.logName, exitCode: nil, at: Date())
            throw error
        }
    }

    /// Passes the service's output on under its `logName` until it exits, then reports its end: its own
    /// exit code when it stopped by itself, 0 when FlowForge stopped it, nil when the run was cancelled.
    func followService(_ service: PlanService, process: LocalProcess) async -> ServiceEnd {
        let name = service.logName
        let code = await withTaskCancellationHandler {
            for await chunk in process.output {
                await observer.stepOutput(name, chunk)
                process.took()
            }
            return await process.exitStatus()
        } onCancel: {
            process.terminate()
        }
        table.remove(pipelineID: request.pipelineID, step: name)
        if Task.isCancelled {
            await observer.stepFinished(name, exitCode: nil, at: Date())
            return .stopped
        }
        let stopping = await progress.servicesStopping
        let decided = await progress.outcome != nil
        if stopping || decided {
            await observer.stepFinished(name, exitCode: 0, at: Date())
            return .stopped
        }
        await observer.stepFinished(name, exitCode: code, at: Date())
        logger.warning("service exited before the steps ended", metadata: ["service": "\(service.name)", "exit_code": "\(code)"])
        return .exited(service, code)
    }

    /// Ends every service's whole process group (SIGTERM, then SIGKILL after the grace): their followers
    /// then see them end.
    func stopServices() async {
        await progress.markServicesStopping()
        for service in request.plan.services {
            table.process(of: request.pipelineID, step: service.logName)?.terminate()
        }
    }

    /// Waits until every port the plan's services list accepts TCP on 127.0.0.1. Returns nil once they all
    /// do (at once when no service lists a port); after `request.serviceReadyTimeout`, the `.error` naming
    /// each service and port not reached. A service that exits meanwhile is the caller's to notice.
    func waitForServices() async throws -> RunOutcome? {
        let services = request.plan.services.filter { !$0.ports.isEmpty }
        guard !services.isEmpty else { return nil }
        let started = ContinuousClock.now
        let reached = await LocalPortProbe.reached(services.flatMap(\.ports), within: request.serviceReadyTimeout)
        try Task.checkCancellation()
        guard reached.count < Set(services.flatMap(\.ports)).count else {
            logger.info("services ready", metadata: ["waited": "\((ContinuousClock.now - started).secondsDescription)"])
            return nil
        }
        return .servicesNotReady(services, reached: reached, timeout: request.serviceReadyTimeout)
    }

    /// Why the plan's services cannot run here at all, before any starts: a service with only an image
    /// (the local backend runs no images), or a listed port something on this machine already answers on
    /// (the steps would reach that instead, and readiness would mean nothing).
    func servicesProblem() async -> RunOutcome? {
        let services = request.plan.services
        if let imageOnly = services.first(where: { $0.commands.isEmpty }) {
            return .error(LocalBackendError.serviceWithoutCommands(service: imageOnly.name, image: imageOnly.image).description)
        }
        let ports = services.flatMap(\.ports)
        guard !ports.isEmpty else { return nil }
        let taken = await LocalPortProbe.reached(ports, within: .zero)
        guard let service = services.first(where: { !taken.isDisjoint(with: $0.ports) }) else { return nil }
        let port = service.ports.first(where: taken.contains) ?? 0
        return .error(LocalBackendError.portInUse(service: service.name, port: port).description)
    }
}
