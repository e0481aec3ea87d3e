import AsyncHTTPClient
import Logging

/// Runs plans in Docker containers through the Docker Engine API.
///
/// A pipeline with services or more than one step gets a "pod": one small container (see `DockerPodImage`)
/// that only waits and owns the network namespace (`NetworkMode` = `network`). Every step is a fresh
/// container joining it (`container:<pod>`), with the workspace bind-mounted at `/workspace`; a lone step
/// without services, and on `none` every step of a run whose steps never run side by side, gets `network`
/// itself (`DockerPipelineRun.needsPod`). Every container is labelled
/// `flowforge.pipeline=<id>`, so a run can clean up by label and `reap` can find leftovers of a crashed process.
public struct DockerBackend: Backend {
    let host: Result<DockerHost, DockerError>
    let http: HTTPClient
    let network: String
    let podImage: String?
    let logger: Logger
    public var name: String { "docker" }
    public var isolatesSteps: Bool { true }

    /// - Parameters:
    ///   - host: `unix:///path/to/docker.sock` or `tcp://127.0.0.1:2375`.
    ///   - network: the pod's network: `bridge` normally, `none` for no network at all.
    ///   - podImage: an image with a `sleep` command for the pod, which only holds the network namespace;
    ///     nil (the default) for FlowForge's built-in pod image, which needs no registry.
    ///   - httpClient: its read timeout may be shorter than a step runs; long calls resume after one.
    public init(
        host: String = "unix:///var/run/docker.sock", network: String = "bridge", podImage: String? = nil,
        httpClient: HTTPClient = .shared, logger: Logger
    ) {
        self.host = Result { () throws(DockerError) in try DockerHost(host) }
        self.http = httpClient
        self.network = network
        self.podImage = podImage
        self.logger = logger
    }

    /// A client for the daemon, once its socket accepts connections (see `DockerHost.unreachableReason`).
    func client(logger: Logger? = nil) throws(DockerError) -> DockerClient {
        let host = try host.get()
        if let reason = host.unreachableReason() { throw .unreachable(host: host.text, reason: reason) }
        return DockerClient(host: host, http: http, logger: logger ?? self.logger)
    }

    public func runLeavingCleanup(_ request: RunRequest, observer: some RunObserver) async -> (outcome: RunOutcome, cleanup: RunCleanup) {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(request.pipelineID)"
        let client: DockerClient
        do {
            client = try self.client(logger: logger)
        } catch {
            return (.error(error.description), .none)
        }
        let run = DockerPipelineRun(
            client: client, request: request,
            observer: observer, network: network, podImage: podImage, logger: logger)
        let outcome = await run.execute()
        logger.info("pipeline finished", metadata: ["outcome": "\(outcome)"])
        let cleanup = RunCleanup { await run.removeContainers() }
        if await run.progress.everyWriterExited, !Task.isCancelled { return (outcome, cleanup) }
        // A container may still be running (killed, or its run cut short): removed before the caller
        // touches the workspace. `perform` runs in a task of its own, which a cancellation does not reach.
        await cleanup.perform()
        return (outcome, .none)
    }
}
