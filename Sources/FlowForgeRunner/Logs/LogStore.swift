import Foundation

/// Where step output is kept: append-only, one log per step of a pipeline.
///
/// Output is appended as it arrives (already masked of secrets by the caller), read back in bounded chunks
/// (a log may be far larger than a server should hold in memory), and removed with the pipeline or when
/// its retention ends. Object storage can implement this later. Every method may be called concurrently.
///
/// Each step has its own log, so the output of steps running in parallel never mixes: a line belongs to the
/// step whose log holds it. Besides the bytes, a store keeps when they arrived as `LogTimeMark`s (at least
/// one per millisecond in which something was appended), which give each line its time
/// (`?timestamps=true`). Logs stored before marks were kept have none.
public protocol LogStore: Sendable {
    /// Adds `bytes` to the end of the step's log, creating it if needed, and marks where they start with the
    /// time of the call unless a mark of the same millisecond precedes them. Appending nothing is allowed
    /// (and marks nothing).
    func append(pipelineID: String, step: String, bytes: [UInt8]) async throws
    /// How many bytes the step's log holds, or nil when nothing was ever appended for it.
    func size(pipelineID: String, step: String) async throws -> Int?
    /// How many time marks the step's log has (0 for a log without marks, or none at all).
    func markCount(pipelineID: String, step: String) async throws -> Int
    /// At most `maxCount` of the step's time marks from the `index`th on, in the order they were appended
    /// (empty past the last one).
    func marks(pipelineID: String, step: String, from index: Int, maxCount: Int) async throws -> [LogTimeMark]
    /// At most `maxBytes` of the step's log from byte `offset` on (empty when nothing was added past it), or
    /// nil when nothing was ever appended for it. Fewer than `maxBytes` means the end was reached.
    func read(pipelineID: String, step: String, from offset: Int, maxBytes: Int) async throws -> Data?
    /// Removes every log of the pipeline. Safe to call twice, and for a pipeline that has no logs.
    func removeAll(pipelineID: String) async throws
}

/// When some output arrived: the bytes of a step's log from `start` on, up to the next mark's start, were
/// appended in the millisecond `millis` (since 1970). Marks are written after their bytes, so a reader may
/// for a moment see bytes whose mark is not there yet (they get the time of the mark before).
public struct LogTimeMark: Sendable, Equatable {
    public var start: Int
    public var millis: Int64

    public init(start: Int, millis: Int64) {
        self.start = start
        self.millis = millis
    }
}

extension LogStore {
    /// The index of the first mark that starts after `offset` (so the one before it, if any, holds the time
    /// of the byte at `offset`), or `markCount`. Marks of one step grow, so this is a binary search: a few
    /// small reads however long the log.
    public func markIndex(pipelineID: String, step: String, covering offset: Int) async throws -> Int {
        var low = 0
        var high = try await markCount(pipelineID: pipelineID, step: step)
        while low < high {
            let middle = (low + high) / 2
            guard let mark = try await marks(pipelineID: pipelineID, step: step, from: middle, maxCount: 1).first else {
                high = middle
                continue
            }
            if mark.start > offset { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// How much one read takes at most when a whole log is streamed.
    public static var chunkBytes: Int { 64 * 1024 }

    /// The step's whole log, or nil when nothing was ever appended for it. Holds it all in memory: for
    /// tests and small logs; answers stream with `forEachChunk` instead.
    public func read(pipelineID: String, step: String) async throws -> Data? {
        var whole: Data?
        try await forEachChunk(pipelineID: pipelineID, step: step) { chunk in whole = (whole ?? Data()) + chunk }
        return whole
    }

    /// Reads the step's log from `offset` to its current end in chunks of at most `chunkBytes`, handing each
    /// to `body` (nothing when there is no log); returns the offset reached.
    @discardableResult
    public func forEachChunk(pipelineID: String, step: String, from offset: Int = 0, _ body: (Data) async throws -> Void) async throws -> Int {
        var position = offset
        while let chunk = try await read(pipelineID: pipelineID, step: step, from: position, maxBytes: Self.chunkBytes) {
            if !chunk.isEmpty { try await body(chunk) }
            position += chunk.count
            if chunk.count < Self.chunkBytes { break }
        }
        return position
    }
}
