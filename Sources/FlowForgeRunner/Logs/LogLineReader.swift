import Foundation

/// One line of a step's output: its bytes without the newline, where it lies in the step's log, and when
/// it arrived (nil when no time mark covers it: a log stored before marks were kept, or a mark not yet written).
public struct LogLine: Sendable, Equatable {
    /// Byte offset of the line's first byte in the step's log.
    public var start: Int
    /// Byte offset just past the line, its newline included: where the next line starts.
    public var end: Int
    public var bytes: [UInt8]
    public var millis: Int64?
}

/// Reads a step's log as lines, from any line boundary on, a bounded chunk at a time.
///
/// How a log is cut into lines depends only on its bytes, never on how much was written when it was read:
/// a line ends at a newline, or after `maxLineBytes` bytes without one (so a step printing one endless line
/// still streams in pieces, in bounded memory). A reader starting at a line's `end` therefore continues with
/// exactly the lines any other reader sees after it — what lets an event stream resume by offset.
public struct LogLineReader: Sendable {
    public let store: any LogStore
    public let pipelineID: String
    public let step: String
    /// Where the next line starts; the bytes of `pending` begin there.
    public private(set) var position: Int
    public var maxLineBytes: Int
    public var chunkBytes: Int
    /// Read but not yet given out: a line still being written. At most `chunkBytes + maxLineBytes`.
    private var pending: [UInt8] = []
    /// The mark of the last line stamped; marks read ahead of it, the next of them at `upcomingNext`.
    private var current: LogTimeMark?
    private var upcoming: [LogTimeMark] = []
    private var upcomingNext = 0
    /// Index (among the step's marks) of `upcoming.first`; nil until the marks were first looked up.
    private var nextMark: Int?

    public init(store: any LogStore, pipelineID: String, step: String, from position: Int = 0,
                maxLineBytes: Int = 64 * 1024, chunkBytes: Int = 256 * 1024) {
        self.store = store
        self.pipelineID = pipelineID
        self.step = step
        self.position = position
        self.maxLineBytes = maxLineBytes
        self.chunkBytes = chunkBytes
    }

    /// Reads at most one chunk more and returns the lines completed so far, oldest first. With `final` (the
    /// step has ended, nothing more will be appended) a last line without a newline is given out too once
    /// the end is reached. `atEnd` is false when more is already written: call again without waiting.
    public mutating func next(final: Bool) async throws -> (lines: [LogLine], atEnd: Bool) {
        let readFrom = position + pending.count
        let data = try await store.read(pipelineID: pipelineID, step: step, from: readFrom, maxBytes: chunkBytes) ?? Data()
        pending.append(contentsOf: data)
        let atEnd = data.count < chunkBytes
        var lines: [LogLine] = []
        var start = 0
        while start < pending.count {
            let limit = min(pending.count, start + maxLineBytes)
            let cut: Int
            let next: Int
            if let newline = pending[start..<limit].firstIndex(of: UInt8(ascii: "\n")) {
                cut = newline
                next = newline + 1
            } else if limit - start == maxLineBytes || (final && atEnd) {
                cut = limit
                next = limit
            } else {
                break
            }
            lines.append(LogLine(start: position + start, end: position + next, bytes: Array(pending[start..<cut]), millis: nil))
            start = next
        }
        pending.removeFirst(start)
        position += start
        if !lines.isEmpty { try await stamp(&lines) }
        return (lines, atEnd)
    }

    /// Gives each line the time of the last mark starting at or before its first byte, reading marks forward
    /// in batches. Past the last mark written so far, the lines of this batch keep the latest time known.
    private mutating func stamp(_ lines: inout [LogLine]) async throws {
        if nextMark == nil {
            let index = try await store.markIndex(pipelineID: pipelineID, step: step, covering: lines[0].start)
            nextMark = index
            if index > 0 { current = try await store.marks(pipelineID: pipelineID, step: step, from: index - 1, maxCount: 1).first }
        }
        var exhausted = false
        for index in lines.indices {
            while true {
                if upcomingNext < upcoming.count {
                    guard upcoming[upcomingNext].start <= lines[index].start else { break }
                    current = upcoming[upcomingNext]
                    upcomingNext += 1
                    continue
                }
                if exhausted { break }
                nextMark! += upcoming.count
                upcoming = try await store.marks(pipelineID: pipelineID, step: step, from: nextMark!, maxCount: 1024)
                upcomingNext = 0
                exhausted = upcoming.isEmpty
            }
            lines[index].millis = current?.millis
        }
    }
}
