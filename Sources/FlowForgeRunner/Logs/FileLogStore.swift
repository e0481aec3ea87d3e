import Foundation
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Log files on local disk: `<root>/<pipelineID>/<encoded step name>.log`, the step's bytes exactly as it
/// wrote them, and beside it `<encoded step name>.times`, its time marks: 16-byte records, the offset where
/// an append started and its time (milliseconds since 1970), both little-endian 64-bit. Steps often write
/// line by line, thousands of appends a second: an append in the same millisecond as the one before it
/// writes no mark, which spares a second write per line.
/// The bytes stay untouched so that a whole log streams as it is, and a log written before marks were kept
/// (no `.times` file) still reads, only without times.
///
/// Each append opens the file with `O_APPEND`, so appends for one step from several tasks (or processes)
/// never overwrite each other. Every file operation blocks, so each runs on `threadPool`, never on one of
/// Swift's few cooperative threads (a slow disk would stall every request of the server).
public struct FileLogStore: LogStore {
    public let root: URL
    let threadPool: NIOThreadPool
    /// The millisecond of the last mark this process wrote per log file.
    let lastMarks = LastMarks()

    public init(root: URL, threadPool: NIOThreadPool = .singleton) {
        self.root = root
        self.threadPool = threadPool
    }

    static let markBytes = 16

    public func append(pipelineID: String, step: String, bytes: [UInt8]) async throws {
        let file = fileURL(pipelineID: pipelineID, step: step)
        let times = timesURL(pipelineID: pipelineID, step: step)
        let lastMarks = self.lastMarks
        try await threadPool.runIfActive {
            let millis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            let end = try Self.appendBlocking(bytes, to: file)
            // Nothing appended, nothing to mark (the log exists now, as before marks were kept).
            guard !bytes.isEmpty else { return }
            let start = end - bytes.count
            // The first bytes of a log are always marked (a log removed and written again starts afresh).
            guard start == 0 || lastMarks.replace(times.path, with: millis) else { return }
            // After the bytes: a reader may see bytes without their mark for a moment, never a mark past them.
            var record = [UInt8]()
            record.reserveCapacity(Self.markBytes)
            withUnsafeBytes(of: UInt64(start).littleEndian) { record.append(contentsOf: $0) }
            withUnsafeBytes(of: millis.littleEndian) { record.append(contentsOf: $0) }
            _ = try Self.appendBlocking(record, to: times)
        }
    }

    public func size(pipelineID: String, step: String) async throws -> Int? {
        let file = fileURL(pipelineID: pipelineID, step: step)
        return try await threadPool.runIfActive { try Self.sizeBlocking(file) }
    }

    public func markCount(pipelineID: String, step: String) async throws -> Int {
        let times = timesURL(pipelineID: pipelineID, step: step)
        return try await threadPool.runIfActive { (try Self.sizeBlocking(times) ?? 0) / Self.markBytes }
    }

    public func marks(pipelineID: String, step: String, from index: Int, maxCount: Int) async throws -> [LogTimeMark] {
        let times = timesURL(pipelineID: pipelineID, step: step)
        return try await threadPool.runIfActive {
            guard let data = try Self.readBlocking(times, from: max(0, index) * Self.markBytes, maxBytes: max(0, maxCount) * Self.markBytes)
            else { return [] }
            let bytes = [UInt8](data)
            return stride(from: 0, to: bytes.count - Self.markBytes + 1, by: Self.markBytes).map { start in
                var offset: UInt64 = 0
                var millis: Int64 = 0
                for i in 0..<8 {
                    offset |= UInt64(bytes[start + i]) << (8 * UInt64(i))
                    millis |= Int64(bytes[start + 8 + i]) << (8 * Int64(i))
                }
                return LogTimeMark(start: Int(clamping: offset), millis: millis)
            }
        }
    }

    public func read(pipelineID: String, step: String, from offset: Int, maxBytes: Int) async throws -> Data? {
        let file = fileURL(pipelineID: pipelineID, step: step)
        return try await threadPool.runIfActive { try Self.readBlocking(file, from: offset, maxBytes: maxBytes) }
    }

    public func removeAll(pipelineID: String) async throws {
        let folder = root.appendingPathComponent(Self.encoded(pipelineID), isDirectory: true)
        try await threadPool.runIfActive {
            do {
                try FileManager.default.removeItem(at: folder)
            } catch CocoaError.fileNoSuchFile {
                // Already gone: removing twice is fine.
            }
        }
    }

    /// Appends `bytes` and returns the file's size right after them (with `O_APPEND` the file position ends
    /// where this write ended, even when another writer appended meanwhile).
    @discardableResult
    static func appendBlocking(_ bytes: [UInt8], to file: URL) throws -> Int {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw LogStoreError.cannotWrite(file.path, errno: errno) }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw LogStoreError.cannotWrite(file.path, errno: errno)
            }
            written += result
        }
        let end = lseek(descriptor, 0, SEEK_CUR)
        guard end >= 0 else { throw LogStoreError.cannotWrite(file.path, errno: errno) }
        return Int(end)
    }

    static func sizeBlocking(_ file: URL) throws -> Int? {
        var info = stat()
        guard stat(file.path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw LogStoreError.cannotRead(file.path, errno: errno)
        }
        return Int(info.st_size)
    }

    static func readBlocking(_ file: URL, from offset: Int, maxBytes: Int) throws -> Data? {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw LogStoreError.cannotRead(file.path, errno: errno)
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: max(0, maxBytes))
        var filled = 0
        while filled < buffer.count {
            let result = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, $0.count - filled, off_t(max(0, offset) + filled))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw LogStoreError.cannotRead(file.path, errno: errno)
            }
            if result == 0 { break }
            filled += result
        }
        return Data(buffer[..<filled])
    }

    func fileURL(pipelineID: String, step: String) -> URL {
        root.appendingPathComponent(Self.encoded(pipelineID), isDirectory: true)
            .appendingPathComponent(Self.encoded(step) + ".log")
    }

    /// Encoded names never hold a `.`, so a step's marks never share a file with another step's log.
    func timesURL(pipelineID: String, step: String) -> URL {
        root.appendingPathComponent(Self.encoded(pipelineID), isDirectory: true)
            .appendingPathComponent(Self.encoded(step) + ".times")
    }

    /// Step names come from the repository's `flowforge.yml`: anything but letters, digits, `-` and `_` is
    /// percent-encoded (so also `/`, `.` and `%`), which keeps every name one file inside its folder and
    /// keeps two different names from ever sharing a file.
    static func encoded(_ name: String) -> String {
        var result = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                result.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return result.isEmpty ? "%" : result
    }
}

/// The millisecond of the last mark written per marks file, so that appends within one millisecond share
/// a mark. Only a cache: forgetting an entry writes one mark more, never a wrong one. Bounded by clearing.
final class LastMarks: Sendable {
    private let millis = Mutex<[String: Int64]>([:])

    /// True (and remembered) when `value` differs from the last mark of `path`: a mark is to be written.
    func replace(_ path: String, with value: Int64) -> Bool {
        millis.withLock { table in
            if table[path] == value { return false }
            if table.count >= 4_096 { table.removeAll(keepingCapacity: true) }
            table[path] = value
            return true
        }
    }
}

/// A log could not be stored or read.
public enum LogStoreError: Error, CustomStringConvertible {
    case cannotWrite(String, errno: Int32)
    case cannotRead(String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let code):
            "cannot write the log file \(path): \(String(cString: strerror(code))); check the data directory's disk space and permissions"
        case .cannotRead(let path, let code):
            "cannot read the log file \(path): \(String(cString: strerror(code)))"
        }
    }
}
