/// What one step's container may use. Every run carries its own value (today from the operator's
/// `FLOWFORGE_STEP_*` settings; later from the account's plan), so nothing here is a global.
public struct StepLimits: Sendable, Codable, Equatable {
    /// Memory, swap included, in bytes; the kernel's OOM killer ends the step beyond it.
    public var memoryBytes: Int64
    /// CPU time as a number of CPUs, in billionths (Docker's `NanoCpus`): 2_000_000_000 is two CPUs.
    public var nanoCPUs: Int64
    /// Most processes and threads the container may hold at once (its pids cgroup): stops a fork bomb.
    public var pids: Int
    /// Open files per process (`RLIMIT_NOFILE`, soft and hard). It may not exceed dockerd's own hard limit
    /// (container creation fails), hence a modest default.
    public var openFiles: Int
    /// `RLIMIT_NPROC`, soft and hard. The kernel counts it per user id across the whole host, not per
    /// container (steps run as root without user namespaces), so it is set high, as a backstop only; `pids`
    /// is the real bound.
    public var processesPerUser: Int
    /// Docker keeps at most `logFiles` files of `logFileBytes` each of a container's output
    /// (`json-file` driver). FlowForge streams and stores logs itself; this only bounds the daemon's disk.
    public var logFileBytes: Int64
    public var logFiles: Int

    public init(
        memoryBytes: Int64, nanoCPUs: Int64, pids: Int, openFiles: Int, processesPerUser: Int,
        logFileBytes: Int64, logFiles: Int
    ) {
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.pids = pids
        self.openFiles = openFiles
        self.processesPerUser = processesPerUser
        self.logFileBytes = logFileBytes
        self.logFiles = logFiles
    }

    /// Enough for ordinary builds (compilers, package managers, test runners) on a shared machine.
    public static let `default` = StepLimits(
        memoryBytes: 2 * 1024 * 1024 * 1024, nanoCPUs: 2_000_000_000, pids: 1024, openFiles: 16_384,
        processesPerUser: 65_536, logFileBytes: 10 * 1024 * 1024, logFiles: 3)
}
