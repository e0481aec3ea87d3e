/// What went wrong talking to the Docker daemon; `description` is written for the person reading the run.
enum DockerError: Error, CustomStringConvertible {
    case badHost(String)
    /// The daemon answered with an error status; `message` is its own explanation.
    case daemon(status: Int, message: String)
    /// The daemon's answer could not be understood.
    case unexpectedResponse(String)
    case imageNotFound(image: String, reason: String)
    /// The daemon could not connect to the image's registry; `reason` is a fixed sentence, not its words.
    case registryUnreachable(image: String, registry: String, reason: String)
    /// The image name is not a valid reference; it never reaches the daemon.
    case invalidImage(image: String, reason: String)
    /// The pipeline's pod could not get its image; the text starts with "pod image" or names it.
    case podImage(String)
    /// Nothing accepts connections at the daemon's socket.
    case unreachable(host: String, reason: String)
    /// A service could not be started or probed; `detail` says why, and the text names the service.
    case service(name: String, detail: String)

    var description: String {
        switch self {
        case .badHost(let host):
            "Docker host \"\(host)\" is not understood; use unix:///var/run/docker.sock or tcp://127.0.0.1:2375"
        case .daemon(let status, let message):
            "the Docker daemon refused the request (HTTP \(status)): \(message)"
        case .unexpectedResponse(let detail):
            "the Docker daemon gave an answer FlowForge does not understand: \(detail)"
        case .imageNotFound(let image, let reason):
            "image \"\(image)\" could not be pulled: \(reason)"
        case .registryUnreachable(let image, let registry, let reason):
            "image \"\(image)\" could not be pulled: the registry \(registry) is not reachable: \(reason); "
                + "check the registry's address and that it is up, or load the image onto the Docker host (docker load)"
        case .invalidImage(let image, let reason):
            "image \"\(image)\" is not a valid image reference: \(reason); write it like alpine:3.20 or registry.example.com/team/tool:1.2"
        case .podImage(let detail):
            detail
        case .service(let name, let detail):
            "service \(name) could not be started: \(detail)"
        case .unreachable(let host, let reason):
            "the Docker daemon at \(host) is not reachable (\(reason)): start dockerd, or set DOCKER_HOST to where it listens"
        }
    }
}
