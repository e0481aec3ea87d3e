extension DockerBackend {
    /// The label every container FlowForge creates carries; its value is the pipeline id.
    static let pipelineLabel = "flowforge.pipeline"
    /// Set on step containers (value: the step name); the pod has `flowforge.role=pod` instead.
    static let stepLabel = "flowforge.step"
    static let roleLabel = "flowforge.role"
    /// Set on service containers (value: the service name).
    static let serviceLabel = "flowforge.service"

    public func reap(keeping: Set<String>) async throws -> Int {
        let client = try client()
        let leftovers = try await client.listContainers(label: Self.pipelineLabel).filter { container in
            guard let pipeline = container.Labels?[Self.pipelineLabel] else { return false }
            return !keeping.contains(pipeline)
        }
        var removed = 0
        for container in Self.stepsBeforePods(leftovers) where try await client.removeContainer(container.Id) {
            removed += 1
            logger.info(
                "reaped leftover container",
                metadata: [
                    "pipeline_id": "\(container.Labels?[Self.pipelineLabel] ?? "")", "container": "\(container.Id)",
                ])
        }
        return removed
    }

    public func pipelineIDsWithContainers() async throws -> Set<String> {
        let containers = try await client().listContainers(label: Self.pipelineLabel)
        return Set(containers.compactMap { $0.Labels?[Self.pipelineLabel] })
    }

    public func remove(pipelineID: String) async throws -> Int {
        let client = try client()
        let containers = try await client.listContainers(label: "\(Self.pipelineLabel)=\(pipelineID)")
        var removed = 0
        for container in Self.stepsBeforePods(containers) where try await client.removeContainer(container.Id) {
            removed += 1
        }
        return removed
    }

    /// Steps share their pod's network namespace, so they go first and the pod is never removed under them.
    static func stepsBeforePods(_ containers: [DockerClient.ContainerSummary]) -> [DockerClient.ContainerSummary] {
        containers.filter { $0.Labels?[roleLabel] != "pod" } + containers.filter { $0.Labels?[roleLabel] == "pod" }
    }
}
