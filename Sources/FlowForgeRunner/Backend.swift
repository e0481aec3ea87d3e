/// Runs a compiled `Plan` somewhere isolated (containers) and cleans up after it.
public protocol Backend: Sendable {
    /// How the API and the logs name it: `docker` or `local`.
    var name: String { get }

    /// Whether steps run confined (containers: their own filesystem, no view of the host's files). A
    /// backend that runs them as host processes says false, and the server then refuses untrusted code
    /// (pull requests from forks).
    var isolatesSteps: Bool { get }

    /// Starts the plan's services first (reachable from the steps on `localhost`; with `ports`, the steps
    /// wait up to `request.serviceReadyTimeout` for each port to accept connections, else `.error` naming
    /// them), and stops them after the last step; a service exiting before then is a `.failure` naming it
    /// and its exit code. Runs the plan's step graph: each step once its dependencies ended, independent steps side by side (at
    /// most `request.maxParallelSteps`), skipping the steps whose `runsOn` does not match what their upstream
    /// came to; the outcome is the first failure of a step that may not fail. Always removes everything it created
    /// before returning, whatever happened (also when the calling Task is cancelled → `.canceled`).
    ///
    /// Never throws: every way a run can end is a `RunOutcome`. Safe to call concurrently for different
    /// pipeline ids; running the same pipeline id twice at once is not supported (cleanup is by id).
    func run(_ request: RunRequest, observer: some RunObserver) async -> RunOutcome

    /// Runs like `run`, but may return before removing what the run created, handing that over as
    /// `cleanup`: only once nothing it started can still write to the workspace (every step and service
    /// seen to exit). Whenever that is not certain (a kill, a cancellation, an error), it removes
    /// everything itself first and hands back `.none`. The caller must `perform` the cleanup, after
    /// recording the outcome and before touching the workspace.
    func runLeavingCleanup(_ request: RunRequest, observer: some RunObserver) async -> (outcome: RunOutcome, cleanup: RunCleanup)

    /// Removes containers labelled `flowforge.pipeline` whose id is not in `keeping`; returns how many.
    /// Safe to call any time, also twice at once (a container removed by the other call is not an error).
    /// Throws only when the backend cannot be reached or refuses to list its containers.
    func reap(keeping: Set<String>) async throws -> Int

    /// Ids of the pipelines that have containers here, running or not (labelled `flowforge.pipeline`).
    func pipelineIDsWithContainers() async throws -> Set<String>

    /// Removes every container of `pipelineID`; returns how many. Safe to call twice and for an id with none.
    func remove(pipelineID: String) async throws -> Int
}

extension Backend {
    public func run(_ request: RunRequest, observer: some RunObserver) async -> RunOutcome {
        let (outcome, cleanup) = await runLeavingCleanup(request, observer: observer)
        await cleanup.perform()
        return outcome
    }
}
