import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Reads a repository's pipeline file out of a checked-out workspace without trusting what is there.
///
/// The workspace holds whatever the repository committed, and FlowForge reads it with its own (often root)
/// rights. A committed symbolic link named `flowforge.yml` could point at any host file (`/etc/shadow`, a
/// token, `/dev/zero`), and a committed file can be huge. So the file is opened relative to the workspace's
/// own descriptor with `O_NOFOLLOW` (a link is refused, not followed), checked with `fstat` on that same
/// descriptor (a regular file, at most `maxBytes`) before anything is read, and read to at most one byte
/// beyond the limit in case it grows while being read.
enum ConfigFileReader {
    /// Largest pipeline file read, in bytes. The parser's own limit is lower; this one bounds the read.
    static let maxBytes = 1024 * 1024

    enum Outcome: Sendable, Equatable {
        /// No file of that name in the workspace.
        case missing
        case text(String)
        /// The file is there but may not be read; the text says why and what to do.
        case refused(String)
    }

    /// Blocking: call it on a thread pool (see `read(_:in:)`).
    static func readBlocking(_ name: String, in workspace: URL) -> Outcome {
        // The workspace itself is FlowForge's own directory; O_NOFOLLOW there too so that nothing in the tree
        // can redirect the lookup, and every later lookup is relative to this descriptor.
        let directory = open(workspace.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard directory >= 0 else {
            return .refused("the workspace could not be opened to read \(name) (\(errorText(errno))); start the pipeline again")
        }
        defer { close(directory) }
        return readBlocking(name, inFolder: directory)
    }

    /// `readBlocking(_:in:)` with the folder already open (`directory`, left open).
    static func readBlocking(_ name: String, inFolder directory: Int32) -> Outcome {
        // O_NONBLOCK: opening a FIFO must not wait for a writer.
        let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard file >= 0 else {
            switch errno {
            case ENOENT: return .missing
            case ELOOP: return .refused("\(name) is a symbolic link; FlowForge reads only a regular file committed at that path: commit the file itself instead of a link")
            default: return .refused("\(name) could not be opened (\(errorText(errno))); commit it as a regular file")
            }
        }
        defer { close(file) }
        var info = stat()
        guard fstat(file, &info) == 0 else {
            return .refused("\(name) could not be examined (\(errorText(errno))); commit it as a regular file")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .refused("\(name) is not a regular file; commit the pipeline definition as a plain file")
        }
        guard info.st_size <= maxBytes else {
            return .refused("\(name) is \(info.st_size) bytes, more than the \(maxBytes / 1024 / 1024) MiB FlowForge reads; keep the pipeline file small")
        }
        var bytes = [UInt8](repeating: 0, count: maxBytes + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(file, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                return .refused("\(name) could not be read (\(errorText(errno))); commit it as a regular file")
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= maxBytes else {
            return .refused("\(name) is more than the \(maxBytes / 1024 / 1024) MiB FlowForge reads; keep the pipeline file small")
        }
        guard let text = String(validating: bytes[..<filled], as: UTF8.self) else {
            return .refused("\(name) could not be read as UTF-8 text; save it as UTF-8")
        }
        return .text(text)
    }

    /// `readBlocking` on the blocking thread pool, off Swift's few cooperative threads.
    static func read(_ name: String, in workspace: URL) async -> Outcome {
        do {
            return try await NIOThreadPool.singleton.runIfActive { readBlocking(name, in: workspace) }
        } catch {
            return .refused("\(name) could not be read while FlowForge is shutting down; start the pipeline again")
        }
    }

    private static func errorText(_ code: Int32) -> String {
        String(decoding: UnsafeRawBufferPointer(start: strerror(code), count: strlen(strerror(code))), as: UTF8.self)
    }
}
