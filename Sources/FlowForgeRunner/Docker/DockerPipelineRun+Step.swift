import FlowForgeCore
import Foundation
import Logging

extension DockerPipelineRun {
    /// How a step's container ended.
    private enum Ending: Sendable {
        case exited(Int32)
        case timedOut
        case timerStopped
        case failed(any Error)
    }

    /// Runs one step in a fresh container with `networkMode`; returns nil to go on, or the outcome that ends the run.
    /// The observer hears `stepStarted` … `stepFinished` for every step this is called for, whatever happens.
    func run(_ step: PlanStep, networkMode: String) async throws -> RunOutcome? {
        var logger = self.logger
        logger[metadataKey: "step"] = "\(step.name)"
        await progress.enter(step: step.name)
        var started = false
        do {
            try await ensureImage(step.image, registryAuth: step.imagePullSecret.flatMap { request.secrets[$0] })
            let container = try await createContainer(config(for: step, networkMode: networkMode))
            await progress.running(step: step.name, container: container)
            await observer.stepStarted(step.name, at: Date())
            started = true
            try await client.startContainer(container)
            logger.debug("step started", metadata: ["container": "\(container)"])

            var ending = await follow(container, of: step)
            await progress.running(step: step.name, container: nil)
            if case .exited = ending, await progress.outcome != nil {
                // The pipeline's timeout killed the step: its exit code is the kill's, not the script's.
                ending = .failed(CancellationError())
            }
            switch ending {
            case .exited(let code):
                await observer.stepFinished(step.name, exitCode: code, at: Date())
                await progress.removeInBackground(container, client: client)
                logger.info("step finished", metadata: ["exit_code": "\(code)"])
                return code == 0 ? nil : .failure(step: step.name, message: "step \(step.name) exited with code \(code)")
            case .timedOut:
                await observer.stepFinished(step.name, exitCode: nil, at: Date())
                let limit = Duration.seconds(step.timeoutSeconds ?? 0).secondsDescription
                logger.warning("step timed out", metadata: ["timeout": "\(limit)"])
                return .timedOut(step: step.name, message: "timed out after \(limit)")
            case .timerStopped:
                preconditionFailure("the timer's ending is never the step's")
            case .failed(let error):
                throw error
            }
        } catch {
            if !started { await observer.stepStarted(step.name, at: Date()) }
            await observer.stepFinished(step.name, exitCode: nil, at: Date())
            throw error
        }
    }

    /// Streams the container's output to the observer until it exits or its timeout kills it.
    private func follow(_ container: String, of step: PlanStep) async -> Ending {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                do {
                    var cursor = DockerLogCursor()
                    try await client.followLogsInBatches(container, cursor: &cursor) { chunk in await observer.stepOutput(step.name, chunk) }
                    let code = try await client.waitContainer(container)
                    await progress.exited(container)
                    try await client.followLogsInBatches(container, follow: false, cursor: &cursor) { chunk in
                        await observer.stepOutput(step.name, chunk)
                    }
                    return .exited(code)
                } catch {
                    return .failed(error)
                }
            }
            if let seconds = step.timeoutSeconds {
                group.addTask {
                    do {
                        try await Task.sleep(for: .seconds(seconds))
                    } catch {
                        return .timerStopped
                    }
                    // Killing ends the log stream and the wait, so the other task returns on its own.
                    try? await client.killContainer(container)
                    return .timedOut
                }
            }
            var ending: Ending = .timerStopped
            for await result in group {
                switch result {
                case .timerStopped: continue
                case .timedOut: ending = .timedOut
                case .exited, .failed:
                    group.cancelAll()  // stops the timer
                    if case .timedOut = ending { continue }
                    ending = result
                }
            }
            return ending
        }
    }

    private func config(for step: PlanStep, networkMode: String) -> DockerContainerConfig {
        DockerContainerConfig(
            Image: step.image,
            Cmd: ["/bin/sh", "-c", step.script],
            Env: step.containerEnvironment(secrets: request.secrets),
            WorkingDir: "/workspace",
            Labels: [DockerBackend.pipelineLabel: request.pipelineID, DockerBackend.stepLabel: step.name],
            HostConfig: .step(
                networkMode: networkMode,
                mounts: [.init(Source: request.workspace, Target: "/workspace")],
                limits: request.limits))
    }
}
