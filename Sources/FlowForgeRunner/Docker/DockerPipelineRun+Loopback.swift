import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// a leftover), bind-mounted read-write into every container of the run. Read-write as Docker's own is, so
/// a step may add names for its services; the pod's steps and services share it as they share Docker's.
extension DockerPipelineRun {
    /// Whether this run's containers skip libnetwork (see above).
    var skipsNetworkSetup: Bool { network == "none" }

    /// The run's own hosts file on the host: `<pipeline id>.hosts` in the request's `runFiles`, else `hosts`
    /// in a folder of its own, `flowforge-<pipeline id>` in the temporary folder (made by the run, readable by
    /// its user alone: a step may turn the file into anything, so other local users must not reach it).
    var hostsFile: URL {
        let id = FileLogStore.encoded(request.pipelineID)
        guard let runFiles = request.runFiles else {
            return FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-" + id, isDirectory: true)
                .appendingPathComponent("hosts")
        }
        return URL(fileURLWithPath: runFiles, isDirectory: true).appendingPathComponent(id + ".hosts")
    }

    /// Whether the hosts file has a folder of its own (no `runFiles`), made and removed with it.
    private var ownsHostsFolder: Bool { request.runFiles == nil }

    /// Writes the hosts file; call it before the run's first container is created.
    func writeHostsFile() async throws {
        let (file, ownFolder) = (hostsFile, ownsHostsFolder)
        try await NIOThreadPool.singleton.runIfActive { try Self.writeHostsFileBlocking(file, makingFolder: ownFolder) }
        await progress.noteHostsFileWritten()
    }

    /// Removes the hosts file (and the folder made for it) once no container of the run mounts it any more.
    /// Only what this run wrote (nothing on another network than `none`): a folder that was there before
    /// (the write refused it) stays untouched.
    func removeHostsFile() async {
        guard await progress.hostsFileWritten else { return }
        let (file, ownFolder) = (hostsFile, ownsHostsFolder)
        _ = try? await NIOThreadPool.singleton.runIfActive {
            try? FileManager.default.removeItem(at: file)
            if ownFolder { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        }
    }

    /// `makingFolder`: the folder must be new (`mkdir` with 0700 fails on one that exists, so a folder someone
    /// else prepared under that name is never used). The file is never followed through a link. Blocking.
    static func writeHostsFileBlocking(_ file: URL, makingFolder: Bool) throws {
        if makingFolder, mkdir(file.deletingLastPathComponent().path, 0o700) != 0 {
            throw HostsFileError(path: file.deletingLastPathComponent().path, code: errno)
        }
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw HostsFileError(path: file.path, code: errno) }
        defer { close(descriptor) }
        // Whatever the umask: a step running as another user than root must still read it.
        guard fchmod(descriptor, 0o644) == 0 else { throw HostsFileError(path: file.path, code: errno) }
        let bytes = Array(DockerContainerConfig.loopbackHosts.utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw HostsFileError(path: file.path, code: errno)
        }
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

/// The run's hosts file, or the folder made for it, could not be written.
struct HostsFileError: Error, CustomStringConvertible {
    let path: String
    let code: Int32

    var description: String { "cannot create \(path): \(String(cString: strerror(code)))" }
}
