import FlowForgeCore
import Foundation
import Logging

extension DockerPipelineRun {
    /// Waits until every port the plan's services list accepts TCP connections inside the pod, by running
    /// FlowForge's probe (`DockerProbeImage`) in the pod's network namespace. Returns nil once they all do
    /// (at once when no service lists a port); after `request.serviceReadyTimeout`, the `.error` naming
    /// each service and port not reached. A service that exits meanwhile is the caller's to notice.
    func waitForServices(pod: String) async throws -> RunOutcome? {
        let services = request.plan.services.filter { !$0.ports.isEmpty }
        guard !services.isEmpty else { return nil }
        let started = ContinuousClock.now
        let image = try await prepareProbeImage()
        let container = try await createContainer(DockerContainerConfig(
            Image: image, Cmd: [DockerProbeImage.path] + services.flatMap(\.ports).map(String.init),
            Labels: [DockerBackend.pipelineLabel: request.pipelineID, DockerBackend.roleLabel: "probe"],
            HostConfig: .pod(networkMode: "container:\(pod)", limits: request.limits)))
        await progress.addService(container)
        try await client.startContainer(container)
        let timeout = request.serviceReadyTimeout
        let ending = try await probeEnding(container, timeout: timeout)
        await progress.removeService(container)
        switch ending {
        case .exited(0):
            _ = try? await client.removeContainer(container)
            logger.info("services ready", metadata: ["waited": "\((ContinuousClock.now - started).secondsDescription)"])
            return nil
        case .exited(let code):
            throw DockerError.podImage("the readiness probe of the services ended with code \(code) instead of reporting them ready")
        case .timedOut, .timerStopped:
            let reached = try await reachedPorts(container)
            _ = try? await client.removeContainer(container)
            return .error(Self.notReadyMessage(services, reached: reached, timeout: timeout))
        }
    }

    private enum ProbeEnding: Sendable {
        case exited(Int32)
        case timedOut
        case timerStopped
    }

    /// Waits for the probe to exit, killing it at `timeout`. A timeout wins over the exit its kill causes.
    private func probeEnding(_ container: String, timeout: Duration) async throws -> ProbeEnding {
        try await withThrowingTaskGroup(of: ProbeEnding.self) { group in
            group.addTask { .exited(try await client.waitContainer(container)) }
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                } catch {
                    return .timerStopped
                }
                try? await client.killContainer(container)  // ends the wait
                return .timedOut
            }
            var ending = ProbeEnding.timerStopped
            for try await result in group {
                switch result {
                case .timerStopped: continue
                case .timedOut: ending = .timedOut
                case .exited:
                    group.cancelAll()
                    if case .timedOut = ending { continue }
                    ending = result
                }
            }
            return ending
        }
    }

    /// The ports the probe printed as reached.
    private func reachedPorts(_ container: String) async throws -> Set<Int> {
        var cursor = DockerLogCursor()
        var output: [UInt8] = []
        try await client.followLogs(container, follow: false, cursor: &cursor) { chunk in output += chunk }
        return Set(String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline).compactMap { Int($0) })
    }

    /// "service db did not accept connections on port 5432 within 60s …", naming every service and port
    /// not reached.
    static func notReadyMessage(_ services: [PlanService], reached: Set<Int>, timeout: Duration) -> String {
        let waiting = services.compactMap { service -> String? in
            let ports = service.ports.filter { !reached.contains($0) }
            guard !ports.isEmpty else { return nil }
            return "\(service.name) (\(ports.count == 1 ? "port" : "ports") \(ports.map(String.init).joined(separator: ", ")))"
        }
        let subject = waiting.count == 1 ? "service \(waiting[0])" : "services " + waiting.joined(separator: ", ")
        return """
            \(subject) did not accept TCP connections on localhost within \(timeout.secondsDescription) \
            (FLOWFORGE_SERVICE_READY_TIMEOUT); check that the service listens on that port (on 0.0.0.0 or \
            127.0.0.1) and see its output in the log, or ask the operator to raise the timeout
            """
    }

    /// The probe's image, imported once per daemon like the built-in pod image.
    func prepareProbeImage() async throws -> String {
        let architecture: String
        do {
            architecture = try await client.architecture()
        } catch let error as DockerError {
            throw DockerError.podImage("the services' readiness probe could not be prepared: \(error.description)")
        }
        guard let program = DockerProbeImage.program(forArchitecture: architecture) else {
            throw DockerError.podImage("""
                FlowForge has no readiness probe for the Docker daemon's architecture \(architecture), so it cannot \
                wait for services' `ports`; remove `ports` from the services and wait for them in a step instead
                """)
        }
        let reference = DockerProbeImage.reference(architecture: architecture, program: program)
        do {
            if try await client.imageExists(reference) { return reference }
            logger.info("building the probe image", metadata: ["image": "\(reference)"])
            let tag = String(reference.dropFirst(DockerProbeImage.repository.count + 1))
            try await client.importImage(tar: DockerProbeImage.archive(program: program), repository: DockerProbeImage.repository, tag: tag)
        } catch let error as DockerError {
            throw DockerError.podImage("the readiness probe image \"\(reference)\" could not be built: \(error.description)")
        }
        return reference
    }
}
