/// Joins a step's output chunks while the previous write is still in flight, so a step printing a line at
/// a time costs one log append per write rather than one per line, with no timer and no reordering.
///
/// One producer calls `add` (waiting while more than `limit` bytes are pending, so memory stays bounded
/// however fast a step prints) and then `finish`; one consumer calls `next` until it returns nil.
actor OutputCoalescer {
    private var pending: [UInt8] = []
    private var finished = false
    private var consumer: CheckedContinuation<Void, Never>?
    private var producers: [CheckedContinuation<Void, Never>] = []
    let limit: Int

    init(limit: Int = 1 << 20) { self.limit = limit }

    func add(_ bytes: [UInt8]) async {
        while pending.count >= limit && !finished {
            await withCheckedContinuation { producers.append($0) }
        }
        pending += bytes
        consumer?.resume()
        consumer = nil
    }

    /// No more output will come; `next` returns what is left, then nil.
    func finish() {
        finished = true
        consumer?.resume()
        consumer = nil
        wakeProducers()
    }

    /// Everything added since the last call (waiting for something), or nil once finished and drained.
    func next() async -> [UInt8]? {
        while pending.isEmpty && !finished {
            await withCheckedContinuation { consumer = $0 }
        }
        guard !pending.isEmpty else { return nil }
        defer { wakeProducers() }
        let batch = pending
        pending = []
        return batch
    }

    private func wakeProducers() {
        let waiting = producers
        producers = []
        for producer in waiting { producer.resume() }
    }
}
