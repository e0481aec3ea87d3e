import Logging

extension DockerPipelineRun {
    /// Force-removes (which kills) every container labelled with this pipeline's id, steps before the pod.
    /// Safe to call twice and after a failed setup: it looks containers up by label rather than remembering them,
    /// which also catches one whose create call was cut short by a cancellation.
    ///
    /// A create cut short that way may still be under way in the daemon (it does not stop work for a client
    /// that hung up), so its container can appear after the first look, in `Created` state: then a second
    /// look follows a moment later. The periodic reaper catches anything later still.
    func removeContainers() async {
        // An ended step's removal still under way would show in the list and fail a second remove.
        for removal in await progress.takeRemovals() { await removal.value }
        await removeListedContainers()
        if await progress.createInterrupted {
            try? await Task.sleep(for: .seconds(1))
            await removeListedContainers()
        }
        await removeHostsFile()
    }

    /// Creates a container, noting a create that a cancellation cut short (see `removeContainers`), and
    /// one that mounts the workspace, until `exited` says it ended.
    func createContainer(_ config: DockerContainerConfig) async throws -> String {
        let config = withNetworkSetup(config)
        do {
            let container = try await client.createContainer(config)
            if config.HostConfig.Mounts.contains(where: \.isWorkspace) { await progress.addWriter(container) }
            return container
        } catch {
            if Task.isCancelled { await progress.noteInterruptedCreate() }
            throw error
        }
    }

    private func removeListedContainers() async {
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
