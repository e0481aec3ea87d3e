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
            do {
                try await followLogs(id, follow: follow, cursor: &cursor) { chunk in await coalescer.push(chunk) }
            } catch {
                // What was read before the failure is passed on before the error leaves the group (which
                // would cancel the consumer, and a cancelled store drops what it is given).
                coalescer.finish()
                try? await group.waitForAll()
                throw error
            }
            coalescer.finish()
            try await group.waitForAll()
        }
    }
}
