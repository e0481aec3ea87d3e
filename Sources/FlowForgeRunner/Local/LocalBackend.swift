import Foundation
import Logging

/// Runs plans as plain processes on this machine, in the workspace, with no isolation at all: a step can
/// read and write whatever the server's user can. For machines without Docker and for `flowforge run`;
/// each step's log opens with `notice`, and the API shows `"backend": "local"`.
///
/// Each step is `/bin/sh -c <script>` leading its own process group (see `LocalProcess`): a timeout, a
/// cancel or the end of the step ends the whole tree. Steps are scheduled as on Docker (`StepGraph`). The
/// step's image is not used; its environment is the step's (with the secrets it asks for) over a few of the
/// host's variables (`hostVariables`), never the server's own environment. The plan's services run the
/// same way, before the steps and beside them, on this machine's own ports (see `runWithServices`).
public struct LocalBackend: Backend {
    let logger: Logger
    let table = LocalProcessTable()
    public var name: String { "local" }
    public var isolatesSteps: Bool { false }

    public init(logger: Logger) {
        self.logger = logger
        // Inherited SIG_IGN for SIGCHLD (some supervisors leave it so) makes the kernel reap children by
        // itself, and their exit statuses would be lost.
        signal(SIGCHLD, SIG_DFL)
    }

    /// The first line of every step's log.
    public static let notice = "flowforge: local backend: this step runs as a plain process on the host, NOT isolated (no container, no limits); its image is not used\n"

    /// The first line of every service's log.
    public static let serviceNotice = "flowforge: local backend: this service runs as a plain process on the host, NOT isolated (no container, no limits); its image is not used\n"

    /// From SIGTERM to SIGKILL when a step is stopped.
    public static let terminationGrace = Duration.seconds(3)

    /// What a step gets from the host's environment: enough to find programs and a home, nothing secret.
    static let hostVariables = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TMPDIR", "TERM"]

    /// Every step awaits its process, so nothing is left to remove later: the cleanup is always `.none`.
    public func runLeavingCleanup(_ request: RunRequest, observer: some RunObserver) async -> (outcome: RunOutcome, cleanup: RunCleanup) {
        (await run(request, observer: observer), .none)
    }

    public func run(_ request: RunRequest, observer: some RunObserver) async -> RunOutcome {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(request.pipelineID)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: request.workspace, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .error(LocalBackendError.workspace(path: request.workspace).description)
        }
        let run = LocalPipelineRun(request: request, observer: observer, table: table, logger: logger)
        let outcome = await run.execute()
        // Every step awaited its process; this only catches a group a racing stop left behind.
        _ = table.kill(pipelineID: request.pipelineID)
        logger.info("pipeline finished", metadata: ["outcome": "\(outcome)", "backend": "local"])
        return outcome
    }

    /// Kills the process groups of this server's pipelines not in `keeping`. Groups started by another
    /// process (or before a restart) are not known here: they are not found.
    public func reap(keeping: Set<String>) async throws -> Int {
        var removed = 0
        for id in table.pipelineIDs where !keeping.contains(id) {
            removed += table.kill(pipelineID: id)
        }
        return removed
    }

    /// The pipelines with a step process running in this server process.
    public func pipelineIDsWithContainers() async throws -> Set<String> {
        table.pipelineIDs
    }

    /// Kills every step process group of `pipelineID` (SIGKILL); returns how many. Safe to call twice.
    public func remove(pipelineID: String) async throws -> Int {
        table.kill(pipelineID: pipelineID)
    }
}
