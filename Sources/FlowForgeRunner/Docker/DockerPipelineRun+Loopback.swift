import Foundation
import NIOPosix

/// A run on the network `none` gets its network namespaces without the daemon's network set-up.
///
/// Why: for every container that gets a network namespace of its own, dockerd starts its own binary again
/// as the OCI prestart hook `libnetwork-setkey`, and that start (mostly the Go runtime's) is the largest
/// part of a container's start on a busy daemon. On `none` the hook has nothing to set up. A container
/// created with `NetworkDisabled` skips libnetwork altogether: runc still gives it a fresh namespace
/// with only the loopback interface, up, so what a step can reach is the same as on `none`.
///
/// What libnetwork would have written for it, an `/etc/hosts` naming `localhost`, FlowForge writes itself:
/// one file per run (see `hostsFile`; on the server beside the workspace, where the workspace sweeper finds
/// a leftover), bind-mounted read-write into every container of the run. Read-write as Docker's own is, so a step may
/// add names for its services; the pod's steps and services share it as they share Docker's.
extension DockerPipelineRun {
    /// Whether this run's containers skip libnetwork (see above).
    var skipsNetworkSetup: Bool { network == "none" }

    /// The run's own hosts file on the host: `<pipeline id>.hosts` in the request's `runFiles`, else
    /// `flowforge-<pipeline id>.hosts` in the temporary folder.
    var hostsFile: URL {
        let name = FileLogStore.encoded(request.pipelineID) + ".hosts"
        guard let runFiles = request.runFiles else {
            return FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-" + name)
        }
        return URL(fileURLWithPath: runFiles, isDirectory: true).appendingPathComponent(name)
    }

    /// Writes the hosts file; call it before the run's first container is created.
    func writeHostsFile() async throws {
        let file = hostsFile
        try await NIOThreadPool.singleton.runIfActive {
            try Data(DockerContainerConfig.loopbackHosts.utf8).write(to: file)
        }
    }

    /// Removes the hosts file once no container of the run mounts it any more.
    func removeHostsFile() async {
        let file = hostsFile
        _ = try? await NIOThreadPool.singleton.runIfActive { try FileManager.default.removeItem(at: file) }
    }

    /// `config` as this run creates it: on `none`, without libnetwork and with the run's hosts file.
    func withNetworkSetup(_ config: DockerContainerConfig) -> DockerContainerConfig {
        skipsNetworkSetup ? config.withoutNetworkSetup(hostsFile: hostsFile.path) : config
    }
}

extension DockerContainerConfig {
    /// What Docker writes for a container on `none`.
    static let loopbackHosts = """
        127.0.0.1\tlocalhost
        ::1\tlocalhost ip6-localhost ip6-loopback
        fe00::0\tip6-localnet
        ff00::0\tip6-mcastprefix
        ff02::1\tip6-allnodes
        ff02::2\tip6-allrouters

        """

    /// This container on the network `none` without libnetwork, with `hostsFile` as its `/etc/hosts`.
    /// A container joining another's namespace (`container:<pod>`) has no set-up of its own to skip and
    /// only gets the file.
    func withoutNetworkSetup(hostsFile: String) -> Self {
        var config = self
        if config.HostConfig.NetworkMode == "none" { config.NetworkDisabled = true }
        config.HostConfig.Mounts.append(.init(Source: hostsFile, Target: "/etc/hosts"))
        return config
    }
}
