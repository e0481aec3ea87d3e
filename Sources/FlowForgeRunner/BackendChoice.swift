import Logging

/// Which backend runs the steps (`FLOWFORGE_BACKEND`, `flowforge run --backend`).
public enum BackendChoice: String, Sendable, CaseIterable {
    /// Containers through the Docker Engine API.
    case docker
    /// Plain processes on this machine, not isolated (`LocalBackend`).
    case local
    /// Docker when its socket answers at start, else local.
    case auto

    /// The backend to use, its name as the API shows it (`docker` or `local`), and a sentence for the
    /// operator when Docker does not answer (nil when it does, or when `local` was asked for).
    public func resolve(docker: DockerBackend, logger: Logger) -> (backend: any Backend, name: String, note: String?) {
        switch self {
        case .local:
            return (LocalBackend(logger: logger), "local", nil)
        case .docker:
            let note = docker.unreachableReason().map {
                "\($0); steps cannot run until it does (start Docker, or set FLOWFORGE_BACKEND=auto to fall back to local processes)"
            }
            return (docker, "docker", note)
        case .auto:
            guard let reason = docker.unreachableReason() else { return (docker, "docker", nil) }
            return (LocalBackend(logger: logger), "local",
                    "\(reason): falling back to the local backend; steps run as plain processes on this machine, NOT isolated")
        }
    }
}
