extension DockerClient {
    /// `followLogs`, with the output passed on in batches (see `OutputCoalescer`): a step printing thousands
    /// of lines a second is read as fast as the daemon sends them while `onOutput` takes, each time, all
    /// that arrived during its previous call. Returns once `onOutput` has had everything, as `followLogs` does.
    func followLogsInBatches(
        _ id: String, follow: Bool = true, cursor: inout DockerLogCursor, onOutput: @escaping @Sendable ([UInt8]) async -> Void
    ) async throws {
        let coalescer = OutputCoalescer()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while let batch = await coalescer.next() { await onOutput(batch) }
            }
            // Also when reading fails: the consumer then passes on what was read and ends.
            defer { coalescer.finish() }
            try await followLogs(id, follow: follow, cursor: &cursor) { chunk in await coalescer.push(chunk) }
            coalescer.finish()
            try await group.waitForAll()
        }
    }
}
