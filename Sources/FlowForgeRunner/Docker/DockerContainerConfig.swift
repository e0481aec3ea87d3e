/// The body of `POST /containers/create`, limited to the fields FlowForge sets.
/// See https://docs.docker.com/engine/api/v1.41/#operation/ContainerCreate
struct DockerContainerConfig: Encodable, Sendable {
    var Image: String
    var Cmd: [String]
    var Env: [String] = []
    var WorkingDir: String?
    var Labels: [String: String]
    var Tty = false
    var AttachStdin = false
    var OpenStdin = false
    var HostConfig: Host

    struct Host: Encodable, Sendable {
        var NetworkMode: String
        var Mounts: [Mount] = []
        // Steps run code from the repository: never privileged, no gaining privileges through setuid
        // binaries, and a pids limit so a fork bomb stays inside its container.
        var Privileged = false
        var SecurityOpt = ["no-new-privileges"]
        var PidsLimit: Int
        var Init = false
    }

    /// `Mounts` rather than `Binds`: a host path holding a `:` would break the `Binds` string syntax.
    struct Mount: Encodable, Sendable {
        var `Type` = "bind"
        var Source: String
        var Target: String
        var ReadOnly = false
    }
}
