import Foundation

/// Where step output is kept: append-only, one log per step of a pipeline.
///
/// Output is appended as it arrives (already masked of secrets by the caller), read back in bounded chunks
/// (a log may be far larger than a server should hold in memory), and removed with the pipeline or when
/// its retention ends. Object storage can implement this later. Every method may be called concurrently.
public protocol LogStore: Sendable {
    /// Adds `bytes` to the end of the step's log, creating it if needed. Appending nothing is allowed.
    func append(pipelineID: String, step: String, bytes: [UInt8]) async throws
    /// At most `maxBytes` of the step's log from byte `offset` on (empty when nothing was added past it), or
    /// nil when nothing was ever appended for it. Fewer than `maxBytes` means the end was reached.
    func read(pipelineID: String, step: String, from offset: Int, maxBytes: Int) async throws -> Data?
    /// Removes every log of the pipeline. Safe to call twice, and for a pipeline that has no logs.
    func removeAll(pipelineID: String) async throws
}

extension LogStore {
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
