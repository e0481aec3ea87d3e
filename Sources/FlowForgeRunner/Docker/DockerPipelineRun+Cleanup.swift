import Logging

extension DockerPipelineRun {
    /// Force-removes (which kills) every container labelled with this pipeline's id, steps before the pod.
    /// Safe to call twice and after a failed setup: it looks containers up by label rather than remembering them,
    /// which also catches one whose create call was cut short by a cancellation.
    func removeContainers() async {
        let label = "\(DockerBackend.pipelineLabel)=\(request.pipelineID)"
        do {
            let containers = try await client.listContainers(label: label)
            for container in DockerBackend.stepsBeforePods(containers) {
                do {
                    try await client.removeContainer(container.Id)
                } catch {
                    logger.error("could not remove container", metadata: ["container": "\(container.Id)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error(
                "could not list the pipeline's containers; the reaper will remove them", metadata: ["error": "\(error)"])
        }
    }
}
