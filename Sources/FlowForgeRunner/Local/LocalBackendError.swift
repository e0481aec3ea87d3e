/// Why the local backend could not run a step or a service at all (not its own failure).
enum LocalBackendError: Error, CustomStringConvertible {
    case spawn(reason: String)
    case workspace(path: String)
    case serviceWithoutCommands(service: String, image: String)
    case portInUse(service: String, port: Int)

    var description: String {
        switch self {
        case .spawn(let reason):
            "the step's shell (/bin/sh) could not be started: \(reason); check that /bin/sh exists and the machine has free processes"
        case .workspace(let path):
            "the workspace \(path) is not a directory; the local backend runs steps inside it"
        case .serviceWithoutCommands(let service, let image):
            """
            service \(service) has only an image (\(image)) and no commands: the local backend cannot run an image; \
            give the service `commands` that start it on this machine, or run the pipeline on the Docker backend
            """
        case .portInUse(let service, let port):
            """
            port \(port) of service \(service) already accepts connections on 127.0.0.1 before the service started: \
            on the local backend services share this machine's ports, so another pipeline's service or a program \
            on the host holds it; stop that, or give the service another port
            """
        }
    }
}
