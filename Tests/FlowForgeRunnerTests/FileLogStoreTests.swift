import Foundation
import Testing

@testable import FlowForgeRunner

@Suite struct FileLogStoreTests {
    private func withStore(_ body: (FileLogStore, URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-logs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(FileLogStore(root: root), root)
    }

    @Test func appendsInOrderAndReadsBack() async throws {
        try await withStore { store, _ in
            #expect(try await store.read(pipelineID: "p1", step: "build") == nil)
            try await store.append(pipelineID: "p1", step: "build", bytes: Array("one\n".utf8))
            try await store.append(pipelineID: "p1", step: "build", bytes: [])
            try await store.append(pipelineID: "p1", step: "build", bytes: Array("two\n".utf8))
            #expect(try await store.read(pipelineID: "p1", step: "build") == Data("one\ntwo\n".utf8))
            #expect(try await store.read(pipelineID: "p1", step: "test") == nil)
        }
    }

    @Test func keepsHostileStepNamesInsideThePipelineFolder() async throws {
        try await withStore { store, root in
            for name in ["../../escape", "a/b", ".", "..", "", "a%2Fb"] {
                try await store.append(pipelineID: "p1", step: name, bytes: Array(name.utf8))
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("p1").path)
            // A log and its time marks per step (the empty name appended nothing, so it has no marks).
            #expect(files.filter { $0.hasSuffix(".log") }.count == 6)
            #expect(files.filter { $0.hasSuffix(".times") }.count == 5)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["p1"])
            #expect(try await store.read(pipelineID: "p1", step: "a/b") == Data("a/b".utf8))
            #expect(try await store.read(pipelineID: "p1", step: "a%2Fb") == Data("a%2Fb".utf8))
        }
    }

    @Test func concurrentAppendsLoseNothing() async throws {
        try await withStore { store, _ in
            let line = Array(String(repeating: "x", count: 99).utf8) + [UInt8(ascii: "\n")]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await store.append(pipelineID: "p", step: "s", bytes: line) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.read(pipelineID: "p", step: "s")?.count == 50 * 100)
        }
    }

    @Test func removeAllIsSafeTwice() async throws {
        try await withStore { store, _ in
            try await store.append(pipelineID: "p1", step: "build", bytes: [1])
            try await store.append(pipelineID: "p2", step: "build", bytes: [2])
            try await store.removeAll(pipelineID: "p1")
            try await store.removeAll(pipelineID: "p1")
            try await store.removeAll(pipelineID: "never-existed")
            #expect(try await store.read(pipelineID: "p1", step: "build") == nil)
            #expect(try await store.read(pipelineID: "p2", step: "build") == Data([2]))
        }
    }
}
