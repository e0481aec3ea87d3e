import FlowForgeArchive
import FlowForgeCore
import FlowForgeGit
import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import NIOPosix

/// Runs one claimed job from checkout to final status: the workspace, the plan, the backend, the records.
/// Every write is fenced by the claim, so a worker that lost its job changes nothing. Unless the run is
/// stopped from outside (see `execute`), the pipeline ends in a final state, committed with its final commit
/// status and its job's end; its workspace is released either way, and the backend removes its containers.
struct PipelineExecutor: Sendable {
    let pipelines: any PipelineRepository
    let logs: any LogStore
    let backend: any Backend
    let git: GitMirrorCache
    let workspaceRoot: URL
    let defaultImage: String
    let pipelineTimeout: Duration
    /// A job taken over from dead workers this many times is ended as `error` instead of run again.
    let maxAttempts: Int
    let lifecycle: any PipelineLifecycleObserver
    let cloneCredentials: CloneCredentials
    let logger: Logger
    /// What each step's container may use; per run, so that plans can set them.
    var stepLimits: StepLimits = .default
    /// Most steps of one pipeline running at once (`FLOWFORGE_MAX_PARALLEL_STEPS`).
    var maxParallelSteps = RunRequest.defaultMaxParallelSteps
    /// `FLOWFORGE_SERVICE_READY_TIMEOUT`: how long steps wait for the services' ports.
    var serviceReadyTimeout = RunRequest.defaultServiceReadyTimeout
    /// Which registries a repository's images may come from.
    var registryPolicy = ImageRegistryPolicy(allowLocal: false)
    /// Where pipelines from uploaded archives get their source; nil: none are run.
    var uploads: UploadedSources? = nil
    /// `FLOWFORGE_MAX_LOG_BYTES`: the most output a run's log keeps, all its steps together.
    var maxLogBytes: Int64 = 16 << 20
    /// Where `from_secret` and `image_pull_secret` find their values; nil: plans that name a secret fail.
    var secrets: PipelineSecrets? = nil
    /// The catalog and the accounts, for the plan's step limits (`stepLimits(for:)`); nil: `stepLimits` alone.
    var plans: PlanCatalog? = nil
    var users: (any UserRepository)? = nil
    /// Keeps the steps' `artifacts:`; nil: none are kept.
    var artifacts: ArtifactCollector? = nil
    /// Restores and saves the plans' `cache:`; nil: caches are neither restored nor saved.
    var cache: PipelineCache? = nil

    /// The outcome to record, in the words a user reads.
    struct Result: Sendable, Equatable {
        var status: PipelineStatus
        var error: String?
    }

    /// Runs the job and records its end. Throws `CancellationError` when the calling task was cancelled
    /// (shutdown, lost lease, cancel request) before the run could end on its own: nothing final is recorded
    /// then, and the caller decides what becomes of the job. Throws `StoreError.leaseLost` when another
    /// worker holds the job now.
    func execute(_ job: ClaimedJob, lease: LeaseWatch) async throws {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(job.pipelineID)"
        logger[metadataKey: "job_id"] = "\(job.id)"
        guard let pipeline = try await pipelines.find(id: job.pipelineID), !pipeline.status.isFinished else { return }

        if job.attempt > 1 || pipeline.startedAt != nil {
            // An earlier claim started this pipeline (its worker died, hung, or handed the job back on
            // shutdown): its containers would collide with this run and its partial logs would be read as
            // this run's. A worker that merely stalled is fenced off from here on.
            logger.warning("taking over a pipeline an earlier worker started", metadata: ["attempt": "\(job.attempt)"])
            _ = try? await backend.remove(pipelineID: pipeline.id)
            try await logs.removeAll(pipelineID: pipeline.id)
        }
        if job.attempt > maxAttempts {
            let message = "the worker running this pipeline stopped \(job.attempt - 1) times; FlowForge gave up. Start it again"
            try await finish(job, Result(status: .error, error: message))
            return
        }

        if try await pipelines.isCancelRequested(id: pipeline.id) {
            // Canceled while its job was held by a worker that then died, or between claim and start.
            try await finishCanceled(job, logger: logger)
            return
        }
        try await pipelines.markRunning(job, at: Clock.nowMillis())
        logger.info("pipeline started", metadata: ["attempt": "\(job.attempt)"])
        let workspace = workspaceRoot.appendingPathComponent(pipeline.id, isDirectory: true)
        await Self.remove(workspace)
        var leftOver = RunCleanup.none
        let result = await run(pipeline, job: job, lease: lease, workspace: workspace, leftOver: &leftOver, logger: logger)
        let containers = leftOver
        let cleanUp = { await self.cleanUp(containers, of: pipeline, workspace: workspace, logger: logger) }

        if Task.isCancelled && result.status == .canceled {
            // Stopped from outside, not by the run's own end: the caller records or hands back the job.
            await cleanUp()
            throw CancellationError()
        }
        // The end is recorded before the cleanup, so the result shows without waiting for container and
        // workspace removal; the job's slot stays taken until both are done.
        do {
            try await finish(job, result)
            lease.markEnded()
        } catch StoreError.leaseLost {
            // Another worker runs this pipeline now, in the same workspace and under the same container
            // labels: removing either would break its run. Its takeover removes what this run left.
            throw StoreError.leaseLost
        } catch {
            await cleanUp()
            throw error
        }
        await cleanUp()
        // Ended: its archive will not be unpacked again.
        if UploadedSources.isUpload(pipeline) { await uploads?.remove(pipelineID: pipeline.id) }
        logger.info("pipeline finished", metadata: ["status": "\(result.status.rawValue)"])
    }

    /// Removes what the run left, the containers first: once they are gone nothing writes to the workspace
    /// any more, and it is released. In tasks of their own because the caller's may be cancelled (cancel
    /// request, shutdown), and the cleanup must still run.
    private func cleanUp(_ containers: RunCleanup, of pipeline: PipelineRecord, workspace: URL, logger: Logger) async {
        await containers.perform()
        let git = self.git
        await Task {
            // An unpacked upload is nobody's checkout to keep.
            if UploadedSources.isUpload(pipeline) { await Self.remove(workspace); return }
            await git.release(workspace: workspace, repoURL: pipeline.repoURL, owner: pipeline.userID, logger: logger)
        }.value
    }

    /// Records a run stopped on a user's request.
    func finishCanceled(_ job: ClaimedJob, logger: Logger) async throws {
        try await finish(job, Result(status: .canceled, error: "canceled on request"))
        logger.info("pipeline canceled", metadata: ["pipeline_id": "\(job.pipelineID)"])
    }

    /// The final state, its commit status and the job's end, in one transaction.
    private func finish(_ job: ClaimedJob, _ result: Result) async throws {
        let at = Clock.nowMillis()
        var status: NewOutboxStatus?
        if var finished = try await pipelines.find(id: job.pipelineID) {
            finished.status = result.status
            finished.error = result.error
            finished.completedAt = at
            status = await lifecycle.status(for: finished, at: .finished)
        }
        // The run is over: if this write failed for good, the job would be taken over and every step run
        // again. So a failure that is not a lost claim is retried (the lease is renewed meanwhile).
        var delay = Duration.milliseconds(250)
        while true {
            do {
                try await pipelines.finish(job, status: result.status, error: result.error, at: at, finalStatus: status)
                break
            } catch StoreError.leaseLost {
                throw StoreError.leaseLost
            } catch {
                guard delay <= .seconds(8) else { throw error }
                logger.warning("could not record the pipeline's end; retrying", metadata: [
                    "pipeline_id": "\(job.pipelineID)", "error": "\(error)",
                ])
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
        if status != nil { await lifecycle.statusStored() }
    }

    /// Checks out, plans and runs the pipeline; returns its result. `leftOver`: what the backend left for
    /// the caller to remove after recording the result (see `Backend.runLeavingCleanup`).
    private func run(
        _ pipeline: PipelineRecord, job: ClaimedJob, lease: LeaseWatch, workspace: URL, leftOver: inout RunCleanup, logger: Logger
    ) async -> Result {
        // Host processes could read the data directory (database, encryption key, mirrors): a fork's
        // code is never run there, not even checked out.
        if pipeline.fork && !backend.isolatesSteps {
            return Result(status: .error, error: "this server runs steps as plain processes (FLOWFORGE_BACKEND=\(backend.name)), which never run pull requests from forks; use the docker backend")
        }
        let commit: String
        do {
            try WorkspaceRoot.prepare(workspaceRoot)
            if UploadedSources.isUpload(pipeline) {
                guard let uploads else { return Result(status: .error, error: "this server does not run pipelines from uploaded sources") }
                commit = try await uploads.unpack(pipelineID: pipeline.id, into: workspace)
            } else {
                commit = try await git.checkout(
                    repoURL: pipeline.repoURL, branch: pipeline.branch, commit: pipeline.commitSHA,
                    credentials: await cloneCredentials.credentials(for: pipeline, logger: logger), into: workspace,
                    owner: pipeline.userID, extraRef: pipeline.fetchRef, logger: logger
                ).commitSHA
            }
        } catch {
            // A checkout cut short by a stopping run is not the repository's fault.
            if Task.isCancelled { return Result(status: .canceled, error: "stopped during checkout") }
            if let error = error as? GitError { return Result(status: .error, error: error.description) }
            if let error = error as? SourceArchiveError { return Result(status: .error, error: "could not unpack the uploaded source: \(error)") }
            return Result(status: .error, error: "could not check out the repository: \(error)")
        }

        // The plan comes before the "running" status: a pipeline that `when` skips never ran, and on GitHub,
        // whose statuses have no neutral state to end in, a "running" (pending) status would stay forever.
        let plan: Plan
        var secretValues: [String: String] = [:]
        switch await planFor(pipeline, commit: commit, workspace: workspace, logger: logger) {
        case .success((.run(let compiled), let name)):
            // Before the "running" status too: a secret that is missing or withheld ends it before any step.
            switch await self.secretValues(for: compiled, of: pipeline) {
            case .success(let values): secretValues = values
            case .failure(let problem):
                if Task.isCancelled { return Result(status: .canceled, error: "stopped") }
                return await record(commit, name: name, of: pipeline, job: job, running: false) ?? Result(status: .error, error: problem.text)
            }
            if let problem = await customEnvironmentProblem(for: compiled, of: pipeline) {
                return await record(commit, name: name, of: pipeline, job: job, running: false) ?? Result(status: .error, error: problem)
            }
            if let failed = await record(commit, name: name, of: pipeline, job: job, running: true) { return failed }
            plan = compiled
        case .success((.skipped(let reason), let name)):
            return await record(commit, name: name, of: pipeline, job: job, running: false) ?? Result(status: .skipped, error: reason)
        case .failure(let message):
            return await record(commit, of: pipeline, job: job, running: false) ?? Result(status: .error, error: message.text)
        }

        do {
            // Services before the steps: their output opens the log, as they start before any step.
            try await pipelines.setSteps(job, names: Self.recordedSteps(of: plan))
            try await pipelines.setBackend(job, name: backend.name)
        } catch {
            if Task.isCancelled { return Result(status: .canceled, error: "stopped") }
            return Result(status: .error, error: "could not record the steps: \(error)")
        }
        // A run that took over from another worker removed that worker's logs first: its budget starts empty.
        let recorder = StepRecorder(
            job: job, lease: lease, pipelines: pipelines, logs: logs, logger: logger,
            budget: PipelineLogBudget(limit: maxLogBytes))
        var request = RunRequest(
            pipelineID: pipeline.id, plan: plan, workspace: workspace.path, timeout: pipelineTimeout, limits: await stepLimits(for: pipeline),
            maxParallelSteps: maxParallelSteps)
        request.secrets = secretValues
        request.serviceReadyTimeout = serviceReadyTimeout
        // Beside the workspace, as `<id>.<what>`: the workspace sweeper removes what a crashed run left there.
        request.runFiles = workspace.deletingLastPathComponent().path
        // Secrets' values are masked before the recorder stores or streams any output (and before the log cap counts it).
        let observer = MaskingObserver(base: recorder, secrets: secretValues.values)
        if let failed = await prepareEnvironments(&request, of: pipeline, workspace: workspace, observer: observer) { return failed }
        let (outcome, cleanup) = await run(request, observer: observer, log: recorder, of: pipeline)
        leftOver = cleanup
        return Self.namingTheDefaultImage(Self.result(of: outcome), defaultImage: defaultImage)
    }

    /// Records the checked-out commit, with the "running" commit status when the plan runs (in the same
    /// fenced transaction). Nil when recorded; otherwise the result the run ends with.
    /// `name`: the file's pipeline name, which the status context carries from here on.
    private func record(_ commit: String, name: String? = nil, of pipeline: PipelineRecord, job: ClaimedJob, running: Bool) async -> Result? {
        do {
            var started = pipeline
            started.status = .running
            started.commitSHA = commit
            started.name = name ?? pipeline.name
            let status = running ? await lifecycle.status(for: started, at: .started) : nil
            try await pipelines.setCommit(job, sha: commit, name: name, startedStatus: status)
            if status != nil { await lifecycle.statusStored() }
            return nil
        } catch {
            if Task.isCancelled { return Result(status: .canceled, error: "stopped") }
            return Result(status: .error, error: "could not record the commit: \(error)")
        }
    }

    /// Leftovers of a run of this pipeline by a worker that died. Deleting a checked-out tree is thousands of
    /// blocking syscalls: done on the thread pool, not on one of Swift's few cooperative threads.
    static func remove(_ workspace: URL) async {
        _ = try? await NIOThreadPool.singleton.runIfActive { GitMirrorCache.removeWorkspace(workspace) }
    }

    static func result(of outcome: RunOutcome) -> Result {
        switch outcome {
        case .success: Result(status: .success)
        case .failure(_, let message): Result(status: .failure, error: message)
        case .timedOut(let step, let message): Result(status: .failure, error: "step \(step) \(message)")
        case .error(let message): Result(status: .error, error: message)
        case .canceled: Result(status: .canceled, error: "canceled")
        }
    }
}
