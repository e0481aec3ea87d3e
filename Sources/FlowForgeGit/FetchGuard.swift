import FlowForgeCore
import Foundation
import Synchronization

/// What one fetch may do on the network: until when, whether it was cancelled, and which addresses it may
/// connect to. Every socket libgit2 opens during the fetch (see `GuardedSocketStream`) obeys the guard of
/// the thread running that fetch, so a stalled server cannot hold a worker slot and the mirror's lock past
/// the deadline, and a host that resolves to a refused address after the URL was checked is still refused.
///
/// Safe to use from any thread: `cancel()` comes from the task that started the fetch, the checks from the
/// thread-pool thread running libgit2.
public final class FetchGuard: Sendable {
    /// Monotonic nanoseconds (`CLOCK_MONOTONIC`) after which every read, write and connect fails.
    let deadlineNanoseconds: UInt64
    /// The deadline as set, for messages.
    let timeout: Duration
    /// Whether loopback, private and other special-purpose addresses may be connected to.
    let allowLocalAddresses: Bool
    private let cancelled = Atomic<Bool>(false)
    private let expired = Atomic<Bool>(false)
    /// The first address refused, for the error message.
    private let refusal = Mutex<String?>(nil)
    /// `host:port` of the fetch's first connection; every later one must go to the same.
    private let authority = Mutex<String?>(nil)
    /// Where a redirect tried to lead, for the error message.
    private let redirection = Mutex<String?>(nil)

    public init(timeout: Duration, allowLocalAddresses: Bool) {
        self.timeout = timeout
        self.allowLocalAddresses = allowLocalAddresses
        let (seconds, attoseconds) = timeout.components
        deadlineNanoseconds = Self.now() &+ UInt64(max(0, seconds)) &* 1_000_000_000 &+ UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Makes every network call of the fetch fail from now on. Safe to call twice.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
    }

    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
    var hasExpired: Bool { expired.load(ordering: .relaxed) }
    var refusedAddress: String? { refusal.withLock { $0 } }

    /// Nil while the fetch may go on; otherwise why it must stop (also recorded for `hasExpired`).
    func stopReason() -> String? {
        if isCancelled { return "the checkout was stopped" }
        if Self.now() >= deadlineNanoseconds {
            expired.store(true, ordering: .relaxed)
            return "the checkout took longer than \(timeout.secondsText)"
        }
        return nil
    }

    /// Milliseconds left before the deadline, at most `cap`.
    func remainingMilliseconds(cap: Int32) -> Int32 {
        let now = Self.now()
        guard now < deadlineNanoseconds else { return 0 }
        return Int32(min(UInt64(cap), (deadlineNanoseconds - now) / 1_000_000 + 1))
    }

    var redirectedTo: String? { redirection.withLock { $0 } }

    /// Whether a connection to `host:port` may be made. libgit2 1.5 follows a redirect to another port of the
    /// same host whatever `follow_redirects` says (it compares host names only), so the fetch is held to the
    /// host and port of its first connection here.
    func permitsConnection(host: String, port: String) -> Bool {
        let wanted = "\(host.lowercased()):\(port)"
        let allowed = authority.withLock { first -> Bool in
            if first == nil { first = wanted }
            return first == wanted
        }
        if !allowed { redirection.withLock { if $0 == nil { $0 = wanted } } }
        return allowed
    }

    /// Whether `address` (numeric text) may be connected to; records the first refusal.
    func permits(_ address: String) -> Bool {
        if allowLocalAddresses || IPAddressClass.isPublic(address) { return true }
        refusal.withLock { if $0 == nil { $0 = address } }
        return false
    }

    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    // MARK: - The guard of the current thread

    /// libgit2 opens streams from inside `git_remote_fetch`, on the thread that called it, and gives the
    /// stream constructor no payload: the guard is found by thread.
    private static let byThread = Mutex<[pthread_t: FetchGuard]>([:])

    /// Runs `body` with this guard governing the calling thread's connections.
    func governing<T>(_ body: () throws -> T) rethrows -> T {
        let thread = pthread_self()
        Self.byThread.withLock { $0[thread] = self }
        defer { _ = Self.byThread.withLock { $0.removeValue(forKey: thread) } }
        return try body()
    }

    static var current: FetchGuard? {
        let thread = pthread_self()
        return byThread.withLock { $0[thread] }
    }
}

extension Duration {
    /// "90 s", "10 min": how FlowForge states a deadline.
    var secondsText: String {
        let seconds = components.seconds
        return seconds >= 60 && seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }
}
