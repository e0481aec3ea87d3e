import Foundation
import Synchronization

/// Tells a process's workers that it is shutting down: from `begin()` on they claim nothing new, and
/// `deadline()` returns once the grace period for running pipelines is over.
final class DrainSignal: Sendable {
    private struct State {
        var draining = false
        var began: ContinuousClock.Instant?
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())
    let grace: Duration

    init(grace: Duration) { self.grace = grace }

    var isDraining: Bool { state.withLock { $0.draining } }

    /// Starts the drain. Safe to call twice; callable from synchronous code (a shutdown handler).
    func begin() {
        let waiters = state.withLock { state in
            if !state.draining { state.began = ContinuousClock.now }
            state.draining = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns `grace` after the drain began (however late the caller started waiting: one grace period for
    /// the whole process), or as soon as the calling task is cancelled.
    func deadline() async {
        await began()
        let start = state.withLock { $0.began } ?? ContinuousClock.now
        try? await Task.sleep(until: start + grace, clock: .continuous)
    }

    /// Returns once the drain began, or as soon as the calling task is cancelled.
    private func began() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.draining || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
