/// One holder per key at a time, waiters served in arrival order; used so that only one task per
/// process fetches into a given mirror (the file lock then covers other processes).
///
/// Waiting cannot be cancelled: a waiter stays queued until the holder calls `unlock`. Callers must
/// pair every `lock` with exactly one `unlock` of the same key; `unlock` of a key nobody holds does nothing.
actor KeyedAsyncLock {
    /// A key is present while held; its array holds the waiters behind the holder.
    private var queues: [String: [CheckedContinuation<Void, Never>]] = [:]

    func lock(_ key: String) async {
        guard queues[key] != nil else {
            queues[key] = []
            return
        }
        await withCheckedContinuation { continuation in
            queues[key, default: []].append(continuation)
        }
    }

    func unlock(_ key: String) {
        guard var waiters = queues[key] else { return }
        if waiters.isEmpty {
            queues[key] = nil
        } else {
            // Ownership passes straight to the next waiter; the key stays held.
            let next = waiters.removeFirst()
            queues[key] = waiters
            next.resume()
        }
    }
}
