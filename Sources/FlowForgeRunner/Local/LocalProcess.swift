import CProcessSpawn
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A step's `/bin/sh -c <script>` as a plain process on this machine, leader of its own process group, so
/// that a signal to the group reaches everything the script started (`terminate`), and nothing of it
/// outlives the step: once the shell exits, whatever is left in its group is killed.
///
/// Its output (stdout and stderr through one pipe) is read on a thread of its own and handed over one
/// chunk at a time, the next read waiting until the consumer took the last chunk: memory stays bounded
/// however fast the step writes, and no cooperative thread ever blocks on the pipe or on `waitpid`.
final class LocalProcess: Sendable {
    let pid: pid_t
    /// stdout and stderr, chunk by chunk, until the pipe closes (or, if a process that left the group keeps
    /// it open, shortly after the shell exited). Iterate it once.
    let output: AsyncStream<[UInt8]>
    private let state = Mutex(State())
    /// Signalled by the consumer of `output` for each chunk it took (`took`), and when it stops listening.
    private let taken = DispatchSemaphore(value: 0)

    private struct State {
        var exitCode: Int32?
        var waiting: [CheckedContinuation<Int32, Never>] = []
        /// The shell was reaped: its pid, and so the group id, may belong to another process by now.
        var reaped = false
        /// The shell has exited (not yet reaped): the reader stops soon after the pipe goes quiet.
        var exited = false
    }

    private init(pid: pid_t, output: AsyncStream<[UInt8]>) {
        self.pid = pid
        self.output = output
    }

    /// Starts `/bin/sh -c script` in `directory` with exactly `environment` (see `flowforge_spawn_shell`).
    static func spawn(script: String, environment: [String: String], directory: String) throws(LocalBackendError) -> LocalProcess {
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { variables.forEach { free($0) } }
        var pid: pid_t = 0
        var reader: Int32 = -1
        let result = flowforge_spawn_shell(script, variables, directory, &pid, &reader)
        guard result == 0 else { throw .spawn(reason: String(cString: strerror(result))) }
        var continuation: AsyncStream<[UInt8]>.Continuation!
        let output = AsyncStream<[UInt8]>(bufferingPolicy: .unbounded) { continuation = $0 }
        let process = LocalProcess(pid: pid, output: output)
        process.startReader(reader, continuation)
        process.startWaiter()
        return process
    }

    /// The shell's exit status; 128 + the signal's number when a signal ended it, as a shell reports it.
    func exitStatus() async -> Int32 {
        await withCheckedContinuation { continuation in
            let code: Int32? = state.withLock { state in
                if state.exitCode == nil { state.waiting.append(continuation) }
                return state.exitCode
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// SIGTERM to the whole group, then SIGKILL to what is left after `grace`. Safe to call any number of
    /// times and after the process ended (a reaped group is never signalled: its id may be reused).
    func terminate(grace: Duration = LocalBackend.terminationGrace) {
        signalGroup(SIGTERM)
        let (seconds, attoseconds) = grace.components
        let delay = Double(seconds) + Double(attoseconds) / 1e18
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [self] in signalGroup(SIGKILL) }
    }

    func signalGroup(_ signal: Int32) {
        // Under the lock, so that the waiter cannot reap the shell between the check and the kill.
        state.withLock { state in
            if !state.reaped { _ = kill(-pid, signal) }
        }
    }

    private func startWaiter() {
        let thread = Thread { [self] in
            var info = siginfo_t()
            // WNOWAIT: the shell stays a zombie, so its group id stays ours while the rest is killed.
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            let (code, waiting) = state.withLock { state -> (Int32, [CheckedContinuation<Int32, Never>]) in
                _ = kill(-pid, SIGKILL)
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                state.reaped = true
                state.exited = true
                // The low 7 bits hold the terminating signal, 0 when the shell exited by itself.
                let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                state.exitCode = code
                defer { state.waiting = [] }
                return (code, state.waiting)
            }
            waiting.forEach { $0.resume(returning: code) }
        }
        thread.name = "flowforge-local-wait"
        thread.start()
    }

    private func startReader(_ descriptor: Int32, _ continuation: AsyncStream<[UInt8]>.Continuation) {
        let stopped = Mutex(false)
        continuation.onTermination = { [taken] _ in
            stopped.withLock { $0 = true }
            taken.signal()
        }
        let thread = Thread { [self] in
            defer {
                close(descriptor)
                continuation.finish()
            }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var exitSeen: ContinuousClock.Instant?
            while !stopped.withLock({ $0 }) {
                // A process that left the group (setsid) may hold the pipe open for ever: once the shell
                // has gone, its output ends when the pipe is quiet, or a moment later at most.
                if exitSeen == nil, state.withLock({ $0.exited }) { exitSeen = .now }
                if let exitSeen, ContinuousClock.now - exitSeen > Self.outputAfterExit { return }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, 200)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 {
                    if exitSeen != nil { return }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                continuation.yield(Array(buffer[..<count]))
                taken.wait()
            }
        }
        thread.name = "flowforge-local-output"
        thread.start()
    }

    /// Called by the consumer of `output` once it handled a chunk, so the reader reads the next.
    func took() { taken.signal() }

    /// How long output is still read after the shell exited, from processes that escaped its group.
    static let outputAfterExit = Duration.seconds(1)
}
