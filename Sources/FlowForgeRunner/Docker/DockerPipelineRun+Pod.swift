import Foundation

/// The pod's image: the operator's `FLOWFORGE_POD_IMAGE` when set, else FlowForge's own (`DockerPodImage`).
extension DockerPipelineRun {
    /// Makes sure the pod's image is on the daemon; returns it and the command the pod runs. Every failure
    /// is a `DockerError.podImage`, so the pipeline's error says it is about the pod, not a step.
    func preparePodImage() async throws -> (image: String, command: [String]) {
        if let podImage {
            do {
                // The operator's image: never a step's private one, so the private-image re-pull does not apply.
                try await ensurePodImage(podImage)
            } catch let error as DockerError {
                throw DockerError.podImage(
                    "pod image \"\(podImage)\" (FLOWFORGE_POD_IMAGE) is not usable: \(error.description); "
                        + "unset FLOWFORGE_POD_IMAGE to use FlowForge's built-in pod image")
            }
            // An image of the operator's choosing: `sleep` is the one command every base image has.
            return (podImage, ["sleep", "2147483647"])
        }
        let architecture: String
        do {
            architecture = try await client.architecture()
        } catch let error as DockerError {
            throw DockerError.podImage("the built-in pod image could not be prepared: \(error.description)")
        }
        guard let program = DockerPodImage.program(forArchitecture: architecture) else {
            throw DockerError.podImage(
                "FlowForge has no built-in pod image for the Docker daemon's architecture \(architecture); "
                    + "set FLOWFORGE_POD_IMAGE to an image with `sleep` built for it")
        }
        let reference = DockerPodImage.reference(architecture: architecture, program: program)
        do {
            if try await client.imageExists(reference) { return (reference, DockerPodImage.command) }
            logger.info("building the pod image", metadata: ["image": "\(reference)"])
            let tag = String(reference.dropFirst(DockerPodImage.repository.count + 1))
            try await client.importImage(tar: DockerPodImage.archive(program: program), repository: DockerPodImage.repository, tag: tag)
        } catch let error as DockerError {
            throw DockerError.podImage("the built-in pod image \"\(reference)\" could not be built: \(error.description)")
        }
        return (reference, DockerPodImage.command)
    }
}
