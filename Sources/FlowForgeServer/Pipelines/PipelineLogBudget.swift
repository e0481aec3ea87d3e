import Synchronization

/// The log cap of one run (`FLOWFORGE_MAX_LOG_BYTES`): how much of its steps' output, all steps together,
/// still goes to the log store. Output past the cap is dropped rather than refused, so a step printing
/// without end keeps running (its output is still read from the container, never left to block it); the
/// step that reaches the cap gets one line saying the rest was discarded. Shared by the run's steps, which
/// may write at the same time.
final class PipelineLogBudget: Sendable {
    private struct State {
        var used: Int64 = 0
        var endsWithNewline = true
        var noticed = false
    }

    let limit: Int64
    private let state = Mutex(State())

    /// `used` counts output already stored by an earlier attempt of the run, if any was kept.
    init(limit: Int64, used: Int64 = 0) {
        self.limit = limit
        state.withLock { $0.used = used }
    }

    /// The bytes of `chunk` to store: all of it, its part within the cap followed by the notice, or nil
    /// once the cap was reached.
    func admit(_ chunk: [UInt8]) -> [UInt8]? {
        state.withLock { state in
            guard !state.noticed else { return nil }
            let room = limit - state.used
            if Int64(chunk.count) <= room {
                state.used += Int64(chunk.count)
                if let last = chunk.last { state.endsWithNewline = last == UInt8(ascii: "\n") }
                return chunk
            }
            var kept = Array(chunk.prefix(Int(max(0, room))))
            state.used = limit
            state.noticed = true
            let endsWithNewline = kept.last.map { $0 == UInt8(ascii: "\n") } ?? state.endsWithNewline
            if !endsWithNewline { kept.append(UInt8(ascii: "\n")) }
            kept.append(contentsOf: Self.notice(limit).utf8)
            return kept
        }
    }

    static func notice(_ limit: Int64) -> String {
        "==> output truncated: this pipeline's log reached its limit of \(limit) bytes (FLOWFORGE_MAX_LOG_BYTES); the rest of the output is discarded while the steps go on\n"
    }
}
