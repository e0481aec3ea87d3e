import Foundation

/// Wakes this process's idle workers when a pipeline is queued here, so a new pipeline starts at once
/// instead of at the next poll. Workers still poll, because other replicas queue jobs too.
actor JobSignal {
    private var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    /// Wakes every waiting worker. Safe to call when nobody waits.
    func notify() {
        let current = waiters
        waiters.removeAll()
        for continuation in current.values { continuation.resume() }
    }

    /// Returns after `notify()` or `timeout`, whichever comes first, or soon after the task is cancelled.
    func wait(timeout: Duration) async {
        let id = UUID()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiters[id] = continuation
            }
        } onCancel: {
            timer.cancel()
        }
        timer.cancel()
    }

    private func wake(_ id: UUID) {
        waiters.removeValue(forKey: id)?.resume()
    }
}
