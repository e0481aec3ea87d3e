import Foundation

/// Where step output is kept: append-only, one log per step of a pipeline.
///
/// Output is appended as it arrives (already masked of secrets by the caller), read back whole for the
/// pipeline page, and removed with the pipeline. Object storage can implement this later.
public protocol LogStore: Sendable {
    /// Adds `bytes` to the end of the step's log, creating it if needed. Appending nothing is allowed.
    func append(pipelineID: String, step: String, bytes: [UInt8]) async throws
    /// The step's whole log so far, or nil when nothing was ever appended for it.
    func read(pipelineID: String, step: String) async throws -> Data?
    /// The step's log from byte `offset` on (empty when nothing was added past it), or nil when nothing was
    /// ever appended for it. Lets a reader that follows a growing log fetch only what is new.
    func read(pipelineID: String, step: String, from offset: Int) async throws -> Data?
    /// Removes every log of the pipeline. Safe to call twice, and for a pipeline that has no logs.
    func removeAll(pipelineID: String) async throws
}
