import FlowForgeCore
import Foundation
import Logging

extension LocalPipelineRun {
    private enum Ending: Sendable {
        case exited(Int32)
        case timedOut
        case timerStopped
    }

    /// Runs one step as a process group; returns nil to go on, or the outcome that ends the run.
    /// The observer hears `stepStarted` … `stepFinished` for every step this is called for, whatever happens.
    func run(_ step: PlanStep) async throws -> RunOutcome? {
        var logger = self.logger
        logger[metadataKey: "step"] = "\(step.name)"
        await progress.enter(step: step.name)
        await observer.stepStarted(step.name, at: Date())
        await observer.stepOutput(step.name, Array(LocalBackend.notice.utf8))
        let process: LocalProcess
        do {
            // A stop that came while the step was being announced: do not start it.
            try Task.checkCancellation()
            if await progress.outcome != nil { throw CancellationError() }
            process = try LocalProcess.spawn(script: step.script, environment: environment(for: step), directory: request.workspace)
        } catch {
            await progress.leave(step: step.name)
            await observer.stepFinished(step.name, exitCode: nil, at: Date())
            throw error
        }
        table.add(process, pipelineID: request.pipelineID, step: step.name)
        logger.debug("step started", metadata: ["pid": "\(process.pid)"])
        let ending = await withTaskCancellationHandler {
            await follow(process, of: step)
        } onCancel: {
            process.terminate()
        }
        table.remove(pipelineID: request.pipelineID, step: step.name)
        await progress.leave(step: step.name)
        let stopped = await progress.outcome != nil
        if Task.isCancelled || stopped {
            // Cancelled, or the pipeline's timeout stopped it: its exit code is the signal's, not the script's.
            await observer.stepFinished(step.name, exitCode: nil, at: Date())
            throw CancellationError()
        }
        switch ending {
        case .exited(let code):
            await observer.stepFinished(step.name, exitCode: code, at: Date())
            logger.info("step finished", metadata: ["exit_code": "\(code)"])
            return code == 0 ? nil : .failure(step: step.name, message: "step \(step.name) exited with code \(code)")
        case .timedOut, .timerStopped:
            await observer.stepFinished(step.name, exitCode: nil, at: Date())
            let limit = Duration.seconds(step.timeoutSeconds ?? 0).secondsDescription
            logger.warning("step timed out", metadata: ["timeout": "\(limit)"])
            return .timedOut(step: step.name, message: "timed out after \(limit)")
        }
    }

    /// Passes the process's output on until it exits, or stops it when its timeout comes first.
    private func follow(_ process: LocalProcess, of step: PlanStep) async -> Ending {
        await withTaskGroup(of: Ending.self) { group in
            group.addTask {
                for await chunk in process.output {
                    await observer.stepOutput(step.name, chunk)
                    process.took()
                }
                return .exited(await process.exitStatus())
            }
            if let seconds = step.timeoutSeconds {
                group.addTask {
                    guard (try? await Task.sleep(for: .seconds(seconds))) != nil else { return .timerStopped }
                    // Ending the group closes the pipe and ends the wait, so the other task returns on its own.
                    process.terminate()
                    return .timedOut
                }
            }
            var ending: Ending = .timerStopped
            for await result in group {
                switch result {
                case .timerStopped: continue
                case .timedOut: ending = .timedOut
                case .exited:
                    group.cancelAll()  // stops the timer
                    if case .timedOut = ending { continue }
                    ending = result
                }
            }
            return ending
        }
    }

    /// The step's variables and secrets (as a container gets them) over the host's few (`hostVariables`).
    func environment(for step: PlanStep) -> [String: String] {
        environment(from: step.containerEnvironment(secrets: request.secrets))
    }

    /// `NAME=value` pairs as a container would get them, over the host's few variables (`hostVariables`).
    func environment(from pairs: [String]) -> [String: String] {
        let host = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for name in LocalBackend.hostVariables {
            if let value = host[name] { environment[name] = value }
        }
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for pair in pairs {
            guard let separator = pair.firstIndex(of: "=") else { continue }
            environment[String(pair[..<separator])] = String(pair[pair.index(after: separator)...])
        }
        environment["FLOWFORGE_WORKSPACE"] = request.workspace
        return environment
    }
}
