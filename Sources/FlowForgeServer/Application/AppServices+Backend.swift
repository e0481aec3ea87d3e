import FlowForgeRunner
import Logging

extension AppServices {
    /// The backend `FLOWFORGE_BACKEND` asks for. A Docker socket that does not answer at start is said at
    /// once (not at the first pipeline); only `auto` then falls back to local processes, loudly.
    static func chooseBackend(_ configuration: AppConfiguration, logger: Logger) -> any Backend {
        let docker = DockerBackend(
            host: configuration.dockerHost, network: configuration.dockerNetwork, podImage: configuration.podImage,
            httpClient: .shared, logger: logger)
        let choice = BackendChoice(rawValue: configuration.backend) ?? .docker
        let chosen = choice.resolve(docker: docker, logger: logger)
        if let note = chosen.note {
            logger.warning("\(note)", metadata: ["backend": "\(chosen.name)", "setting": "FLOWFORGE_BACKEND=\(configuration.backend)"])
        }
        if chosen.name == "local" {
            logger.warning("steps run as plain processes on this machine with the server's user, NOT isolated: use this only for code you trust",
                           metadata: ["backend": "local"])
        }
        return chosen.backend
    }
}
