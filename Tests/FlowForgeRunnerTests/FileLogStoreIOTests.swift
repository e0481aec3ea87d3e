import Foundation
import NIOPosix
import Testing

@testable import FlowForgeRunner

/// The log store's reads are bounded and its file I/O runs on its thread pool, never on the caller's thread.
@Suite struct FileLogStoreIOTests {
    @Test func readsAreBoundedChunksFromAnOffset() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-logs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = FileLogStore(root: root)
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        try await store.append(pipelineID: "p", step: "s", bytes: bytes)
        let chunk = try #require(try await store.read(pipelineID: "p", step: "s", from: 1_000, maxBytes: 4_096))
        #expect(Array(chunk) == Array(bytes[1_000..<5_096]))
        #expect(try await store.read(pipelineID: "p", step: "s", from: 200_000, maxBytes: 10) == Data())
        #expect(try await store.read(pipelineID: "p", step: "missing", from: 0, maxBytes: 10) == nil)

        var sizes: [Int] = []
        let end = try await store.forEachChunk(pipelineID: "p", step: "s") { sizes.append($0.count) }
        #expect(end == 200_000)
        #expect(sizes.allSatisfy { $0 <= FileLogStore.chunkBytes } && sizes.reduce(0, +) == 200_000)
        #expect(try await store.read(pipelineID: "p", step: "s").map(Array.init) == bytes)
    }

    @Test func fileWorkWaitsForItsThreadPoolNotTheCallersThread() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-logs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let store = FileLogStore(root: root, threadPool: pool)
        // Occupy the pool's only thread: an append must wait for it rather than write on the caller's thread.
        let gate = DispatchSemaphore(value: 0)
        let occupied = Task { try await pool.runIfActive { gate.wait() } }
        let append = Task { try await store.append(pipelineID: "p", step: "s", bytes: [1, 2, 3]) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!FileManager.default.fileExists(atPath: store.fileURL(pipelineID: "p", step: "s").path))
        gate.signal()
        try await occupied.value
        try await append.value
        #expect(try await store.read(pipelineID: "p", step: "s") == Data([1, 2, 3]))
        try await pool.shutdownGracefully()
    }
}
