import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tries TCP connections to ports on 127.0.0.1, on a thread of its own: `connect` blocks, and the
/// cooperative pool must not.
enum LocalPortProbe {
    /// Tries each port not yet reached about every 50 ms until all accept a connection or `timeout` passed
    /// (with `.zero`, exactly one try each); returns the ports that accepted. Returns early, with what it
    /// reached so far, when the calling task is cancelled.
    static func reached(_ ports: [Int], within timeout: Duration) async -> Set<Int> {
        let stopped = Mutex(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Set<Int>, Never>) in
                let deadline = ContinuousClock.now + timeout
                let thread = Thread {
                    var reached: Set<Int> = []
                    while true {
                        for port in ports where !reached.contains(port) && accepts(port) { reached.insert(port) }
                        if reached.count == Set(ports).count || ContinuousClock.now >= deadline || stopped.withLock({ $0 }) { break }
                        usleep(50_000)
                    }
                    continuation.resume(returning: reached)
                }
                thread.name = "flowforge-local-ports"
                thread.start()
            }
        } onCancel: {
            stopped.withLock { $0 = true }
        }
    }

    /// One connection attempt; blocking, so call it only off the cooperative pool.
    static func accepts(_ port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        // A listener whose backlog is full would hold a blocking connect: one second at most.
        var limit = timeval(tv_sec: 1, tv_usec: 0)
        _ = setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}
