import Synchronization

/// Hands output from one producer to one consumer, joined: whatever arrived while the consumer was busy
/// with its last piece is taken as one.
///
/// Why: the daemon sends a followed log as one HTTP chunk per line a step printed, and storing a piece
/// (a hop to the thread pool, an append to the log file) costs far more than reading one. Passing lines
/// on one by one made a chatty step's log trail its output by minutes; joined, the store's cost is paid
/// once per batch, and batches grow exactly as much as the store falls behind.
///
/// Contract: `push` waits while `limit` bytes or more wait to be taken, so a slow consumer slows the reading
/// (the daemon keeps the rest) and memory stays near twice `limit`: the batch being passed on and the one
/// gathering, plus the piece last pushed. The producer calls `finish` once, also when it
/// fails; the consumer calls `next` until it returns nil, which it does once finished and empty. Nothing
/// pushed before `finish` is lost.
final class OutputCoalescer: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var finished = false
        var consumer: CheckedContinuation<[UInt8]?, Never>?
        var producer: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int = 1 << 20) {
        self.limit = limit
    }

    /// Adds `bytes`, then waits while the buffer holds `limit` bytes or more (until the consumer takes them).
    func push(_ bytes: [UInt8]) async {
        guard !bytes.isEmpty else { return }
        let waiting: CheckedContinuation<[UInt8]?, Never>? = state.withLock { state in
            // A consumer waits only on an empty buffer: it takes these bytes directly.
            if let consumer = state.consumer {
                state.consumer = nil
                return consumer
            }
            state.buffer.append(contentsOf: bytes)
            return nil
        }
        if let waiting {
            waiting.resume(returning: bytes)
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let full = state.withLock { state in
                guard state.buffer.count >= limit, !state.finished else { return false }
                state.producer = continuation
                return true
            }
            if !full { continuation.resume() }
        }
    }

    /// Whether `push` is waiting for the consumer, and whether `next` is waiting for output (for tests).
    var producerWaits: Bool { state.withLock { $0.producer != nil } }
    var consumerWaits: Bool { state.withLock { $0.consumer != nil } }

    /// No more output: `next` returns what is left, then nil.
    func finish() {
        let (consumer, producer) = state.withLock { state in
            state.finished = true
            defer { state.consumer = nil; state.producer = nil }
            return (state.consumer, state.producer)
        }
        consumer?.resume(returning: nil)
        producer?.resume()
    }

    /// Everything pushed since the last call, waiting for some when there is none; nil once finished and empty.
    func next() async -> [UInt8]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[UInt8]?, Never>) in
            enum Take { case bytes([UInt8], producer: CheckedContinuation<Void, Never>?), end, wait }
            let take: Take = state.withLock { state in
                if !state.buffer.isEmpty {
                    let bytes = state.buffer
                    state.buffer = []
                    defer { state.producer = nil }
                    return .bytes(bytes, producer: state.producer)
                }
                if state.finished { return .end }
                state.consumer = continuation
                return .wait
            }
            switch take {
            case .bytes(let bytes, let producer):
                producer?.resume()
                continuation.resume(returning: bytes)
            case .end:
                continuation.resume(returning: nil)
            case .wait:
                break
            }
        }
    }
}
