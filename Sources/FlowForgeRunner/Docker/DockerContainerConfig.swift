import FlowForgeCore

/// The body of `POST /containers/create`, limited to the fields FlowForge sets.
/// See https://docs.docker.com/engine/api/v1.41/#operation/ContainerCreate
struct DockerContainerConfig: Encodable, Sendable {
    var Image: String
    /// Nil: the image's own command (a service without `commands`).
    var Cmd: [String]?
    var Env: [String] = []
    var WorkingDir: String?
    var Labels: [String: String]
    var Tty = false
    var AttachStdin = false
    var OpenStdin = false
    /// True: no libnetwork set-up at all (a fresh namespace with loopback only); nil leaves it out.
    var NetworkDisabled: Bool?
    var HostConfig: Host

    struct Host: Encodable, Sendable {
        var NetworkMode: String
        var Mounts: [Mount] = []
        // Steps run code from the repository: never privileged, no gaining privileges through setuid
        // binaries, only the capabilities builds need, and bounded memory, CPU, processes and logs.
        var Privileged = false
        var SecurityOpt = ["no-new-privileges"]
        var CapDrop = ["ALL"]
        var CapAdd: [String] = []
        var PidsLimit: Int
        var Init = false
        var Memory: Int64?
        var MemorySwap: Int64?
        var NanoCpus: Int64?
        var Ulimits: [Ulimit] = []
        var LogConfig: Log?
    }

    struct Ulimit: Encodable, Sendable, Equatable {
        var Name: String
        var Soft: Int
        var Hard: Int
    }

    struct Log: Encodable, Sendable, Equatable {
        var `Type` = "json-file"
        var Config: [String: String]
    }

    /// `Mounts` rather than `Binds`: a host path holding a `:` would break the `Binds` string syntax.
    struct Mount: Encodable, Sendable {
        var `Type` = "bind"
        var Source: String
        var Target: String
        var ReadOnly = false

        /// Whether this mount gives the container the pipeline's workspace.
        var isWorkspace: Bool { Target == "/workspace" }
    }
}

extension DockerContainerConfig.Host {
    /// The capabilities a step keeps after dropping all of them. Docker's default set, less what no build
    /// needs and an escape or an attack on the network would: MKNOD (device nodes), NET_RAW (raw sockets,
    /// spoofing on the pod's network), SETFCAP and SETPCAP (granting file or process capabilities),
    /// SYS_CHROOT and AUDIT_WRITE. What stays, and why:
    /// - CHOWN, DAC_OVERRIDE, FOWNER, FSETID: root in the container owns and changes any file of the
    ///   workspace and of the image (package managers, `chown` in build scripts, `npm`, `pip`, `apt`);
    /// - SETUID, SETGID: tools that drop to another user (`apt`'s `_apt`, `su`, `gosu`, `postgres`);
    /// - KILL: signalling processes of another user in the container (test runners, service wrappers);
    /// - NET_BIND_SERVICE: test servers on ports below 1024 inside the pod.
    static let stepCapabilities = [
        "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "SETUID", "SETGID", "KILL", "NET_BIND_SERVICE",
    ]

    /// A step's host settings: `limits` applied, `Init` on so that a step's orphaned children are reaped
    /// and signals reach its script.
    static func step(networkMode: String, mounts: [DockerContainerConfig.Mount], limits: StepLimits) -> Self {
        Self(
            NetworkMode: networkMode, Mounts: mounts, CapAdd: stepCapabilities, PidsLimit: limits.pids, Init: true,
            Memory: limits.memoryBytes, MemorySwap: limits.memoryBytes, NanoCpus: limits.nanoCPUs,
            Ulimits: [
                .init(Name: "nofile", Soft: limits.openFiles, Hard: limits.openFiles),
                .init(Name: "nproc", Soft: limits.processesPerUser, Hard: limits.processesPerUser),
            ],
            LogConfig: .cap(limits))
    }

    /// The pod only sleeps: no capability at all, a few processes, little memory, the same log cap.
    static func pod(networkMode: String, limits: StepLimits) -> Self {
        Self(
            NetworkMode: networkMode, PidsLimit: 16, Memory: podMemoryBytes, MemorySwap: podMemoryBytes,
            NanoCpus: 100_000_000, LogConfig: .cap(limits))
    }

    /// Enough for `sleep` in any base image.
    static let podMemoryBytes: Int64 = 32 * 1024 * 1024
}

extension DockerContainerConfig.Log {
    static func cap(_ limits: StepLimits) -> Self {
        Self(Config: ["max-size": "\(limits.logFileBytes)", "max-file": "\(limits.logFiles)"])
    }
}
