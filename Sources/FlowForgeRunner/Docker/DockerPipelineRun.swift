import FlowForgeCore
import Foundation
import Logging

/// One pipeline's run on Docker: the pod when the run needs one (`needsPod`), its services (see
/// `runWithServices`), then the plan's steps as their dependencies allow (see `schedule`), under the
/// pipeline's timeout.
struct DockerPipelineRun<Observer: RunObserver>: Sendable {
    let client: DockerClient
    let request: RunRequest
    let observer: Observer
    let network: String
    /// The operator's pod image; nil for FlowForge's built-in one.
    let podImage: String?
    let logger: Logger
    let progress = DockerRunProgress()

    /// Runs every step; returns how the run ended. Leaves containers behind: `removeContainers` follows.
    func execute() async -> RunOutcome {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await progress.finish(with: await runSteps())
                return true
            }
            group.addTask {
                do {
                    try await Task.sleep(for: request.timeout)
                } catch {
                    return false  // the steps finished first, or the caller cancelled
                }
                await stopForPipelineTimeout()
                return true
            }
            // Whichever ends first decides; the other is told to stop and awaited by the group.
            _ = await group.next()
            group.cancelAll()
        }
        return await progress.outcome ?? .canceled
    }

    private func runSteps() async -> RunOutcome {
        if skipsNetworkSetup {
            do {
                try await writeHostsFile()
            } catch {
                logger.error("could not write the run's hosts file", metadata: ["file": "\(hostsFile.path)", "error": "\(error)"])
                return .error("FlowForge could not write the run's /etc/hosts at \(hostsFile.path) (\(error)); check that folder's owner and free space")
            }
        }
        do {
            guard needsPod else { return try await schedule(networkMode: network) }
            let pod = try await createPod(try await preparePodImage())
            return try await runWithServices(pod: pod)
        } catch is CancellationError {
            return .canceled
        } catch let error as DockerError {
            return Task.isCancelled ? .canceled : .error(error.description)
        } catch {
            if Task.isCancelled { return .canceled }
            logger.error("pipeline could not run", metadata: ["error": "\(error)"])
            return .error("FlowForge could not talk to the Docker daemon (\(error)); check that it is running")
        }
    }

    /// Whether the run gets a pod: with services (which the steps reach on `localhost`), or with more than
    /// one step on a network with set-up (steps side by side may serve each other). A container joining the
    /// pod's namespace starts about 90 ms sooner than one that gets a namespace of its own on such a network,
    /// since the daemon runs its network hook (a start of the `dockerd` binary) only for the pod: from two
    /// steps on, the pod pays for itself. On `none` (see `skipsNetworkSetup`) a namespace of one's own costs
    /// what joining does, so the pod is kept only where steps may run side by side. Without a pod each step
    /// is a container of its own on `network`, and the run saves the pod's create, start and removal.
    var needsPod: Bool {
        if !request.plan.services.isEmpty { return true }
        guard request.plan.steps.count > 1 else { return false }
        return !skipsNetworkSetup || StepGraph.stepsMayOverlap(request.plan, maxParallelSteps: request.maxParallelSteps)
    }

    /// Marks the run as timed out, then kills every running step so their calls return.
    private func stopForPipelineTimeout() async {
        let step = await progress.currentStep ?? request.plan.steps.first?.name ?? ""
        logger.warning("pipeline timed out", metadata: ["step": "\(step)"])
        await progress.finish(
            with: .timedOut(step: step, message: "pipeline timed out after \(request.timeout.secondsDescription)"))
        for container in await progress.runningContainers + progress.serviceContainers {
            try? await client.killContainer(container)
        }
    }

    /// The pod's image (the operator's setting, not a step's): pulled unless present.
    func ensurePodImage(_ image: String) async throws {
        if try await client.imageExists(image) { return }
        logger.info("pulling image", metadata: ["image": "\(image)", "with_credentials": "false"])
        try await client.pullImage(image)
    }

    /// Makes a step's image present. `registryAuth`, the registry auth JSON of `image_pull_secret`, goes
    /// with the pull only when its `serveraddress` is the image's registry (`RegistryAuth`).
    ///
    /// A public or local image that is present is used as it is. An image once pulled with credentials
    /// (`DockerClient.markPrivate`) is pulled again for every step that names it, with that step's own
    /// credentials, so that a step runs it only when the registry lets its account have it; an image
    /// pulled with credentials is marked private.
    func ensureImage(_ image: String, registryAuth: String? = nil) async throws {
        let reference = try DockerClient.validReference(image)
        let credentials = registryAuth.flatMap { RegistryAuth.credentials($0, for: reference) }
        if registryAuth != nil && credentials == nil {
            logger.warning("image_pull_secret is for another registry than the image's: pulling without it", metadata: [
                "image": "\(image)", "registry": "\(RegistryAuth.registry(of: reference))",
            ])
        }
        switch try await client.localImage(image) {
        case .present(_, isPrivate: false):
            return
        case .present(_, isPrivate: true):
            logger.info("pulling private image again for this step", metadata: ["image": "\(image)", "with_credentials": "\(credentials != nil)"])
            do {
                try await client.pullImage(image, registryAuth: credentials)
            } catch DockerError.imageNotFound {
                throw DockerError.imageNotFound(image: image, reason: """
                    it is a private image and the registry did not give it to this pipeline; the step needs \
                    image_pull_secret with credentials for \(RegistryAuth.registry(of: reference))
                    """)
            }
        case .absent:
            logger.info("pulling image", metadata: ["image": "\(image)", "with_credentials": "\(credentials != nil)"])
            try await client.pullImage(image, registryAuth: credentials)
        }
        if credentials != nil { try await client.markPrivate(image) }
    }

    private func createPod(_ image: (image: String, command: [String])) async throws -> String {
        let config = DockerContainerConfig(
            Image: image.image,
            // Never ends by itself; the pod is force-removed when the run ends.
            Cmd: image.command,
            Labels: [DockerBackend.pipelineLabel: request.pipelineID, DockerBackend.roleLabel: "pod"],
            HostConfig: .pod(networkMode: network, limits: request.limits))
        let pod = try await createContainer(config)
        try await client.startContainer(pod)
        logger.debug("pod started", metadata: ["container": "\(pod)"])
        return pod
    }
}

/// What the concurrent parts of a run share: the steps in progress, their containers, and the first
/// outcome decided.
actor DockerRunProgress {
    /// Running steps' containers by step name (a step entered but not yet created maps to nil).
    private var containers: [String: String?] = [:]
    /// The step entered last, so a timeout between steps still names one.
    private(set) var lastStep: String?
    private(set) var outcome: RunOutcome?
    /// A container create was cut short by a cancellation: the daemon may still be making it.
    private(set) var createInterrupted = false
    /// Containers of services and of the readiness probe: killed when the run stops them.
    private(set) var serviceContainers: [String] = []
    /// Set before FlowForge kills the services, so that their ends are not taken for crashes.
    private(set) var servicesStopping = false

    func addService(_ container: String) { serviceContainers.append(container) }
    func removeService(_ container: String) { serviceContainers.removeAll { $0 == container } }
    func markServicesStopping() { servicesStopping = true }

    func noteInterruptedCreate() { createInterrupted = true }

    /// The run wrote its hosts file (`DockerPipelineRun+Loopback`): the cleanup removes it.
    private(set) var hostsFileWritten = false
    func noteHostsFileWritten() { hostsFileWritten = true }

    /// Containers with the workspace mounted that have not been seen to exit.
    private var writers: Set<String> = []
    func addWriter(_ container: String) { writers.insert(container) }
    /// The daemon said `container` exited (a wait returned): it writes nothing any more.
    func exited(_ container: String) { writers.remove(container) }
    /// Nothing the run created can still write to the workspace, and no create is possibly still under
    /// way: the removal of the ended containers can wait (`Backend.runLeavingCleanup`).
    var everyWriterExited: Bool { writers.isEmpty && !createInterrupted }

    /// Removals of ended steps' containers still under way: `removeContainers` awaits them.
    private var removals: [Task<Void, Never>] = []

    /// Removes an ended step's container without holding up the next step (a remove takes the daemon tens
    /// of milliseconds); the run's cleanup awaits it.
    func removeInBackground(_ container: String, client: DockerClient) {
        removals.append(Task { _ = try? await client.removeContainer(container) })
    }

    /// The removals started so far, handed over once.
    func takeRemovals() -> [Task<Void, Never>] {
        defer { removals = [] }
        return removals
    }

    /// Steps being run now, in name order.
    var runningSteps: [String] { containers.keys.sorted() }
    var runningContainers: [String] { containers.values.compactMap { $0 } }
    /// A running step, else the step entered last.
    var currentStep: String? { runningSteps.first ?? lastStep }

    func enter(step: String) {
        containers[step] = .some(nil)
        lastStep = step
    }
    /// `container` of `step` runs (or, nil, no longer does).
    func running(step: String, container: String?) { containers[step] = .some(container) }
    func leave(step: String) { containers[step] = nil }
    /// The first outcome wins: after a timeout, the killed step's own result is not the story.
    func finish(with outcome: RunOutcome) {
        if self.outcome == nil { self.outcome = outcome }
    }
}
