import ArgumentParser
import FlowForgeCore
import FlowForgeRunner
import Foundation
import Logging

/// `flowforge run [DIR]`: the working copy's pipeline as it is on disk, here, without a server or database.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the flowforge.yml of a working copy here, as it is on disk, without a server.",
        discussion: """
            Steps run in DIR itself (uncommitted changes included; what they write stays there). \
            Exit status: 0 when the pipeline succeeded, 1 when a step failed or timed out, 2 when the file \
            is invalid, no step matches, or the run could not start (for example no Docker with --backend docker), \
            130 when interrupted.
            """
    )

    @Argument(help: "The working copy (the directory holding flowforge.yml).") var directory = "."
    @Option(help: "docker, local (plain processes, not isolated) or auto (docker when its socket answers, else local).")
    var backend: BackendChoice = .auto
    @Option(help: "The event to run for, as `when` filters see it (\(TriggerContext.knownEvents.joined(separator: ", "))).")
    var event = "push"
    @Option(help: "The branch to run for (default: the working copy's current branch, else main).") var branch: String?
    @Option(name: .customLong("env"), help: "KEY=VALUE for every step's environment (repeatable).") var environment: [String] = []
    @Option(name: .customLong("secret"), help: "NAME=VALUE for a secret steps ask for with from_secret; masked in the output (repeatable).")
    var secrets: [String] = []
    @Option(name: .customLong("step"), help: "Run only this step and what it depends on (repeatable).") var steps: [String] = []
    @Option(help: "Limit for the whole pipeline, in seconds.") var timeout = 3600

    func validate() throws {
        guard TriggerContext.knownEvents.contains(event) else {
            throw ValidationError("--event must be one of \(TriggerContext.knownEvents.joined(separator: ", ")), not \"\(event)\"")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        let terminal = Terminal()
        let workspace = URL(fileURLWithPath: directory).standardizedFileURL
        let request: RunRequest
        do {
            let loaded = try await LocalRunPlan.load(
                workspace: workspace, event: event, branch: branch, only: steps,
                environment: try keyValues(environment, option: "--env"))
            request = RunRequest(
                pipelineID: loaded.pipelineID, plan: loaded.plan, workspace: workspace.path, timeout: .seconds(timeout),
                limits: .default)
        } catch let error as ValidationError {
            throw error
        } catch {
            Terminal.standardError("flowforge: \(error)")
            throw ExitCode(2)
        }
        var withSecrets = request
        withSecrets.secrets = try keyValues(secrets, option: "--secret")
        var logger = Logger(label: "flowforge.run")
        // What goes wrong reaches the summary in plain words; the backend's own log lines would repeat it.
        logger.logLevel = .error
        // The same settings as the server's, so a machine set up for `serve` runs the same way.
        let settings = ProcessInfo.processInfo.environment
        let docker = DockerBackend(
            host: settings["DOCKER_HOST"] ?? "unix:///var/run/docker.sock", network: settings["FLOWFORGE_DOCKER_NETWORK"] ?? "bridge",
            podImage: settings["FLOWFORGE_POD_IMAGE"], logger: logger)
        let chosen = backend.resolve(docker: docker, logger: logger)
        if let note = chosen.note {
            Terminal.standardError("flowforge: \(note)")
            if backend == .docker { throw ExitCode(2) }
        }
        terminal.out(terminal.paint("pipeline \(request.plan.name): \(request.plan.steps.count) steps on the \(chosen.name) backend in \(workspace.path)", .plain))
        let console = RunConsole(terminal: terminal)
        let observer = MaskingObserver(base: console, secrets: withSecrets.secrets.values)
        let ready = withSecrets
        let outcome = await Interrupt.cancellingOnSignal {
            await chosen.backend.run(ready, observer: observer)
        }
        await console.summary(steps: request.plan.steps.map(\.name), outcome: outcome)
        switch outcome {
        case .success: return
        case .failure, .timedOut: throw ExitCode.failure
        case .error: throw ExitCode(2)
        case .canceled: throw ExitCode(130)
        }
    }
}

extension BackendChoice: ExpressibleByArgument {}
