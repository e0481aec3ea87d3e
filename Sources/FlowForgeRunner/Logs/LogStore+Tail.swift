import Foundation

extension LogStore {
    /// Where the last `count` lines of the step's log begin (0 when it has fewer, or no log). Reads backwards
    /// from the end a chunk at a time, so a tail of a huge log costs a few reads, not the whole log. A newline
    /// that ends the log does not start another line.
    public func tailOffset(pipelineID: String, step: String, lines count: Int) async throws -> Int {
        guard count > 0 else { return try await size(pipelineID: pipelineID, step: step) ?? 0 }
        guard let size = try await size(pipelineID: pipelineID, step: step), size > 0 else { return 0 }
        var end = size
        var newlines = 0
        var first = true
        while end > 0 {
            let start = max(0, end - Self.chunkBytes)
            guard let chunk = try await read(pipelineID: pipelineID, step: step, from: start, maxBytes: end - start) else { return 0 }
            let bytes = [UInt8](chunk)
            var index = bytes.count - 1
            if first {
                // The log's own last newline closes its last line.
                if bytes.last == UInt8(ascii: "\n") { index -= 1 }
                first = false
            }
            while index >= 0 {
                if bytes[index] == UInt8(ascii: "\n") {
                    newlines += 1
                    if newlines == count { return start + index + 1 }
                }
                index -= 1
            }
            end = start
        }
        return 0
    }
}
