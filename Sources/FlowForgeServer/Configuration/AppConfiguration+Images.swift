import FlowForgeCore

extension AppConfiguration {
    /// The operator's images are names the daemon is asked for on every pipeline: one that is not a valid
    /// reference would fail every run, so start-up stops on it instead, naming the setting.
    func validateImageSettings() throws {
        var images = [("DEFAULT_DOCKER_IMAGE", defaultDockerImage)]
        if let podImage { images.append(("FLOWFORGE_POD_IMAGE", podImage)) }
        for (variable, image) in images {
            do {
                _ = try ImageReference.parse(image)
            } catch {
                throw ConfigurationError(
                    variable: variable,
                    message: "\"\(image)\" is not a valid image reference: \(error.reason); write it like alpine:3.20 or registry.example.com/team/tool:1.2")
            }
        }
    }
}
