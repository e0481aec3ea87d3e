import FlowForgeCore
import Foundation
import Logging

extension DockerPipelineRun {
    /// How one service's container ended, as the run sees it.
    enum ServiceEnd: Sendable {
        /// It exited on its own while the steps still needed it.
        case exited(PlanService, Int32)
        /// FlowForge stopped it: the steps are over, or the run ended otherwise.
        case stopped
    }

    /// Makes the service's image present, then creates and starts its container in the pod. The observer
    /// hears `stepStarted` under the service's `logName` first; on a failure here, `stepFinished` with no
    /// exit code too, and a `DockerError.service` naming it is thrown.
    func startService(_ service: PlanService, pod: String) async throws -> String {
        await observer.stepStarted(service.logName, at: Date())
        do {
            try await ensureImage(service.image, registryAuth: service.imagePullSecret.flatMap { request.secrets[$0] })
            let container = try await createContainer(config(for: service, pod: pod))
            await progress.addService(container)
            try await client.startContainer(container)
            logger.debug("service started", metadata: ["service": "\(service.name)", "container": "\(container)"])
            return container
        } catch {
            await observer.stepFinished(service.logName, exitCode: nil, at: Date())
            if let error = error as? DockerError { throw DockerError.service(name: service.name, detail: error.description) }
            throw error
        }
    }

    /// Streams the service's output to the observer under its `logName` until the container stops, then
    /// reports its end: its own exit code when it stopped by itself, 0 when FlowForge stopped it (the
    /// service did its job), nil when the run was cancelled under it.
    func followService(_ service: PlanService, container: String) async throws -> ServiceEnd {
        let name = service.logName
        do {
            var cursor = DockerLogCursor()
            try await client.followLogsInBatches(container, cursor: &cursor) { chunk in await observer.stepOutput(name, chunk) }
            let code = try await client.waitContainer(container)
            await progress.exited(container)
            try await client.followLogsInBatches(container, follow: false, cursor: &cursor) { chunk in await observer.stepOutput(name, chunk) }
            let stopping = await progress.servicesStopping
            let decided = await progress.outcome != nil
            if stopping || decided {
                await observer.stepFinished(name, exitCode: 0, at: Date())
                return .stopped
            }
            await observer.stepFinished(name, exitCode: code, at: Date())
            logger.warning("service exited before the steps ended", metadata: ["service": "\(service.name)", "exit_code": "\(code)"])
            return .exited(service, code)
        } catch {
            await observer.stepFinished(name, exitCode: nil, at: Date())
            throw error
        }
    }

    /// Kills every service (and a readiness probe still running): their followers then see them end.
    func stopServices() async {
        await progress.markServicesStopping()
        for container in await progress.serviceContainers {
            try? await client.killContainer(container)
        }
    }

    func config(for service: PlanService, pod: String) -> DockerContainerConfig {
        DockerContainerConfig(
            Image: service.image,
            Cmd: service.script.map { ["/bin/sh", "-c", $0] },
            Env: service.containerEnvironment(secrets: request.secrets),
            // Without commands the image's own working directory holds (a database image expects its own).
            WorkingDir: service.commands.isEmpty ? nil : "/workspace",
            Labels: [DockerBackend.pipelineLabel: request.pipelineID, DockerBackend.serviceLabel: service.name],
            // A service runs code the repository chose, as a step does: the same confinement and limits.
            HostConfig: .step(
                networkMode: "container:\(pod)",
                mounts: [.init(Source: request.workspace, Target: "/workspace")],
                limits: request.limits))
    }
}

extension PlanService {
    /// The container's `Env`, built as a step's is (`PlanStep.containerEnvironment`).
    func containerEnvironment(secrets values: [String: String]) -> [String] {
        PlanStep(name: name, image: image, commands: [], environment: environment, secrets: secrets)
            .containerEnvironment(secrets: values)
    }
}
