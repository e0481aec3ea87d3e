import Foundation
import Testing

@testable import FlowForgeRunner

/// Lines, their times and tails, read back from the file log store.
@Suite struct LogLineReaderTests {
    private func withStore(_ body: (FileLogStore, URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-lines-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(FileLogStore(root: root), root)
    }

    private func allLines(_ store: FileLogStore, from offset: Int = 0, maxLine: Int = 64 * 1024, chunk: Int = 256 * 1024) async throws -> [LogLine] {
        var reader = LogLineReader(store: store, pipelineID: "p", step: "s", from: offset, maxLineBytes: maxLine, chunkBytes: chunk)
        var lines: [LogLine] = []
        while true {
            let (batch, atEnd) = try await reader.next(final: true)
            lines += batch
            if atEnd { return lines }
        }
    }

    @Test func eachAppendIsMarkedAndEachLineGetsTheTimeOfItsFirstByte() async throws {
        try await withStore { store, _ in
            try await store.append(pipelineID: "p", step: "s", bytes: Array("one\ntw".utf8))
            let firstMarks = try await store.marks(pipelineID: "p", step: "s", from: 0, maxCount: 10)
            #expect(firstMarks.map(\.start) == [0])
            // A later append gets a later time: wait until the clock has moved on.
            while Int64(Date().timeIntervalSince1970 * 1000) <= firstMarks[0].millis { await Task.yield() }
            try await store.append(pipelineID: "p", step: "s", bytes: Array("o\nthree\n".utf8))
            let marks = try await store.marks(pipelineID: "p", step: "s", from: 0, maxCount: 10)
            #expect(marks.map(\.start) == [0, 6])
            #expect(marks[1].millis > marks[0].millis)
            #expect(try await store.markCount(pipelineID: "p", step: "s") == 2)
            #expect(try await store.size(pipelineID: "p", step: "s") == 14)

            let lines = try await allLines(store)
            #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["one", "two", "three"])
            #expect(lines.map(\.end) == [4, 8, 14])
            // "two" began in the first append; "three" in the second.
            #expect(lines.map(\.millis) == [marks[0].millis, marks[0].millis, marks[1].millis])
            // From any line's end on, the same lines as everyone else.
            #expect(try await allLines(store, from: 4).map(\.bytes) == Array(lines.dropFirst()).map(\.bytes))
        }
    }

    @Test func appendsOfOneMillisecondShareAMarkAndEveryLineHasATime() async throws {
        try await withStore { store, _ in
            let before = Int64(Date().timeIntervalSince1970 * 1000)
            for n in 0..<2_000 { try await store.append(pipelineID: "p", step: "s", bytes: Array("line \(n)\n".utf8)) }
            let after = Int64(Date().timeIntervalSince1970 * 1000)
            let count = try await store.markCount(pipelineID: "p", step: "s")
            #expect(count >= 1 && count <= Int(after - before) + 2, "at most one mark per millisecond, got \(count) in \(after - before) ms")
            let lines = try await allLines(store)
            #expect(lines.count == 2_000)
            #expect(lines.allSatisfy { ($0.millis ?? 0) >= before && ($0.millis ?? .max) <= after })
            #expect(lines.map(\.millis) == lines.map(\.millis).sorted { ($0 ?? 0) < ($1 ?? 0) })
            // A tail starts from the right mark too.
            let offset = try await store.tailOffset(pipelineID: "p", step: "s", lines: 10)
            #expect(try await allLines(store, from: offset) == Array(lines.suffix(10)))
        }
    }

    @Test func aLogWithoutMarksStillReads() async throws {
        try await withStore { store, root in
            // As written before marks were kept: only the .log file.
            let folder = root.appendingPathComponent("p")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("old\nlog".utf8).write(to: folder.appendingPathComponent("s.log"))
            let lines = try await allLines(store)
            #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["old", "log"])
            #expect(lines.allSatisfy { $0.millis == nil })
        }
    }

    @Test func linesAreCutTheSameWayWhateverTheChunks() async throws {
        try await withStore { store, _ in
            // A line far longer than the longest kept whole, between short ones.
            let text = "a\n" + String(repeating: "x", count: 250) + "\nb\n\nlast"
            let bytes = Array(text.utf8)
            for start in stride(from: 0, to: bytes.count, by: 7) {
                try await store.append(pipelineID: "p", step: "s", bytes: Array(bytes[start..<min(start + 7, bytes.count)]))
            }
            let whole = try await allLines(store, maxLine: 100, chunk: 1 << 20)
            let small = try await allLines(store, maxLine: 100, chunk: 13)
            #expect(whole == small)
            #expect(whole.map(\.bytes.count) == [1, 100, 100, 50, 1, 0, 4])
            #expect(whole.last?.end == text.utf8.count)
        }
    }

    @Test func aRunningStepsUnfinishedLineWaits() async throws {
        try await withStore { store, _ in
            try await store.append(pipelineID: "p", step: "s", bytes: Array("done\npart".utf8))
            var reader = LogLineReader(store: store, pipelineID: "p", step: "s")
            let (lines, atEnd) = try await reader.next(final: false)
            #expect(lines.map(\.bytes) == [Array("done".utf8)] && atEnd)
            try await store.append(pipelineID: "p", step: "s", bytes: Array("ial\n".utf8))
            #expect(try await reader.next(final: false).lines.map(\.bytes) == [Array("partial".utf8)])
        }
    }

    @Test func tailFindsTheLastLines() async throws {
        try await withStore { store, _ in
            #expect(try await store.tailOffset(pipelineID: "p", step: "s", lines: 3) == 0)
            let text = (1...50_000).map(String.init).joined(separator: "\n") + "\n"
            try await store.append(pipelineID: "p", step: "s", bytes: Array(text.utf8))
            let offset = try await store.tailOffset(pipelineID: "p", step: "s", lines: 3)
            #expect(String(decoding: Array(text.utf8)[offset...], as: UTF8.self) == "49998\n49999\n50000\n")
            #expect(try await store.tailOffset(pipelineID: "p", step: "s", lines: 1_000_000) == 0)
            try await store.append(pipelineID: "p", step: "s", bytes: Array("no newline".utf8))
            let second = try await store.tailOffset(pipelineID: "p", step: "s", lines: 2)
            #expect(try await store.read(pipelineID: "p", step: "s", from: second, maxBytes: 100) == Data("50000\nno newline".utf8))
        }
    }
}

