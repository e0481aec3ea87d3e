import Foundation
import NIOCore
import NIOPosix

/// A local file read as a sequence of `ByteBuffer`s, each read on the thread pool, never on the cooperative
/// threads. Used for request bodies; reads stop at `size` bytes even if the file grew.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let url: URL
    let size: Int64
    static let chunkSize = 256 * 1024

    func makeAsyncIterator() -> Iterator { Iterator(url: url, remaining: size) }

    struct Iterator: AsyncIteratorProtocol {
        let url: URL
        var remaining: Int64
        var handle: FileDescriptorBox?

        init(url: URL, remaining: Int64) {
            self.url = url
            self.remaining = remaining
        }

        mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else { handle = nil; return nil }
            if handle == nil {
                let path = url.path
                handle = try await NIOThreadPool.singleton.runIfActive { try FileDescriptorBox(openForReading: path) }
            }
            let box = handle!
            let count = Int(Swift.min(Int64(FileChunks.chunkSize), remaining))
            let bytes = try await NIOThreadPool.singleton.runIfActive { try box.read(upTo: count) }
            guard !bytes.isEmpty else { throw ArtifactStoreError(description: "\(url.lastPathComponent) ended before its size") }
            remaining -= Int64(bytes.count)
            return ByteBuffer(bytes: bytes)
        }
    }
}

/// An open descriptor closed when the last reference goes. Sendable because it is read by one iterator at
/// a time (each read awaited before the next starts), never concurrently.
final class FileDescriptorBox: @unchecked Sendable {
    let descriptor: Int32

    init(descriptor: Int32) { self.descriptor = descriptor }

    convenience init(openForReading path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ArtifactStoreError(description: "cannot open \(path) (errno \(errno))") }
        self.init(descriptor: descriptor)
    }

    /// Up to `count` bytes; empty at the end of the file. Blocking.
    func read(upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let done = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, count) }
            if done < 0 && errno == EINTR { continue }
            guard done >= 0 else { throw ArtifactStoreError(description: "read failed (errno \(errno))") }
            buffer.removeSubrange(done...)
            return buffer
        }
    }

    /// Writes all of `bytes`. Blocking.
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let done = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if done < 0 && errno == EINTR { continue }
            guard done > 0 else { throw ArtifactStoreError(description: "write failed (errno \(errno))") }
            offset += done
        }
    }

    deinit { close(descriptor) }
}
