import FlowForgeCore
import FlowForgeGit
import FlowForgeRunner
import FlowForgeStore
import Foundation
import Logging
import NIOPosix

/// Runs one claimed job from checkout to final status: the workspace, the plan, the backend, the records.
/// Whatever happens, the pipeline ends in a final state and its workspace is released (kept for the account's
/// next pipeline of the repository, or removed); the backend removes its containers itself.
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
    /// Which registries a repository's images may come from.
    var registryPolicy = ImageRegistryPolicy(allowLocal: false)

    /// The outcome to record, in the words a user reads.
    struct Result: Sendable, Equatable {
        var status: PipelineStatus
        var error: String?
    }

    func execute(_ job: ClaimedJob) async throws {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(job.pipelineID)"
        logger[metadataKey: "job_id"] = "\(job.id)"
        guard let pipeline = try await pipelines.find(id: job.pipelineID), !pipeline.status.isFinished else { return }

        if job.attempt > 1 {
            logger.warning("taking over a pipeline whose worker stopped", metadata: ["attempt": "\(job.attempt)"])
            // The dead worker's containers and partial logs would collide with this run.
            _ = try? await backend.remove(pipelineID: pipeline.id)
            try? await logs.removeAll(pipelineID: pipeline.id)
        }
        if job.attempt > maxAttempts {
            let message = "the worker running this pipeline stopped \(job.attempt - 1) times; FlowForge gave up. Start it again"
            try await finish(pipeline.id, Result(status: .error, error: message))
            return
        }

        if try await pipelines.isCancelRequested(id: pipeline.id) {
            // Canceled while its job was held by a worker that then died, or between claim and start.
            try await finishCanceled(job, logger: logger)
            return
        }
        try await pipelines.markRunning(id: pipeline.id, at: Clock.nowMillis())
        logger.info("pipeline started", metadata: ["attempt": "\(job.attempt)"])
        let workspace = workspaceRoot.appendingPathComponent(pipeline.id, isDirectory: true)
        await Self.remove(workspace)
        let result = await run(pipeline, workspace: workspace, logger: logger)
        // The backend has removed the containers: nothing writes to the workspace any more. In a task of its
        // own because this one may be cancelled (cancel request, shutdown), and the cleanup must still run.
        let git = self.git
        await Task {
            await git.release(workspace: workspace, repoURL: pipeline.repoURL, owner: pipeline.userID, logger: logger)
        }.value

        if Task.isCancelled && result.status == .canceled {
            // Stopped by shutdown, not by a user: leave it for the next worker (the lease expires).
            throw CancellationError()
        }
        try await finish(pipeline.id, result)
        logger.info("pipeline finished", metadata: ["status": "\(result.status.rawValue)"])
    }

    /// Records a run stopped on a user's request.
    func finishCanceled(_ job: ClaimedJob, logger: Logger) async throws {
        try await finish(job.pipelineID, Result(status: .canceled, error: "canceled on request"))
        logger.info("pipeline canceled", metadata: ["pipeline_id": "\(job.pipelineID)"])
    }

    private func finish(_ id: String, _ result: Result) async throws {
        try await pipelines.finish(id: id, status: result.status, error: result.error, at: Clock.nowMillis())
        if let finished = try await pipelines.find(id: id) { await lifecycle.pipelineFinished(finished) }
    }

    private func run(_ pipeline: PipelineRecord, workspace: URL, logger: Logger) async -> Result {
        let commit: String
        do {
            try WorkspaceRoot.prepare(workspaceRoot)
            commit = try await git.checkout(
                repoURL: pipeline.repoURL, branch: pipeline.branch, commit: pipeline.commitSHA,
                credentials: await cloneCredentials.credentials(for: pipeline, logger: logger), into: workspace,
                owner: pipeline.userID, logger: logger
            ).commitSHA
            try await pipelines.setCommit(id: pipeline.id, sha: commit)
            if let started = try await pipelines.find(id: pipeline.id) { await lifecycle.pipelineStarted(started) }
        } catch let error as GitError {
            return Result(status: .error, error: error.description)
        } catch {
            return Result(status: .error, error: "could not check out the repository: \(error)")
        }

        let plan: Plan
        switch await planFor(pipeline, commit: commit, workspace: workspace) {
        case .success(.run(let compiled)): plan = compiled
        case .success(.skipped(let reason)): return Result(status: .skipped, error: reason)
        case .failure(let message): return Result(status: .error, error: message.text)
        }

        do {
            try await pipelines.setSteps(pipelineID: pipeline.id, names: plan.steps.map(\.name))
        } catch {
            return Result(status: .error, error: "could not record the steps: \(error)")
        }
        let recorder = StepRecorder(pipelineID: pipeline.id, pipelines: pipelines, logs: logs, logger: logger)
        let request = RunRequest(pipelineID: pipeline.id, plan: plan, workspace: workspace.path, timeout: pipelineTimeout, limits: stepLimits)
        return Self.result(of: await backend.run(request, observer: recorder))
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
