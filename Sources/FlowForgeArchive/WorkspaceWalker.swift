import Foundation

/// Reads a workspace that a step (user code) has written, never following a link out of it: every folder is
/// opened from its parent's descriptor with `O_NOFOLLOW`, every file with `O_NOFOLLOW` and then checked to be
/// a regular file, so a link planted anywhere (or swapped in while the walk runs) is never read through.
/// Blocking file I/O: call it from a thread pool, never on the cooperative threads.
public enum WorkspaceWalker {
    public enum Kind: Sendable { case file, folder, link }

    public struct Entry: Sendable {
        /// Relative to the root, `/`-separated.
        public var path: String
        public var kind: Kind
        /// Bytes of a file when it was listed (it may change after); 0 otherwise.
        public var size: Int64
        public var mode: UInt32
    }

    public struct TooManyEntries: Error, Sendable {
        public let limit: Int
    }

    /// Calls `visit` for each file, folder and link below `root` (links are listed, never followed), depth
    /// first; descends into a folder only when `enter` says so. Devices, FIFOs and sockets are left out.
    /// Throws `TooManyEntries` past `maxEntries` entries.
    public static func walk(
        root: String, maxEntries: Int, enter: (String) -> Bool, visit: (Entry) throws -> Void
    ) throws {
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw WalkError(path: root, errno: errno) }
        var count = 0
        try walk(descriptor, prefix: "", depth: 0, maxEntries: maxEntries, count: &count, enter: enter, visit: visit)
    }

    /// Folders deeper than this are not entered: each level holds a descriptor and a stack frame.
    public static let maxDepth = 128

    private static func walk(
        _ descriptor: Int32, prefix: String, depth: Int, maxEntries: Int, count: inout Int, enter: (String) -> Bool,
        visit: (Entry) throws -> Void
    ) throws {
        guard let directory = fdopendir(descriptor) else {
            close(descriptor)
            throw WalkError(path: prefix, errno: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            count += 1
            if count > maxEntries { throw TooManyEntries(limit: maxEntries) }
            let path = prefix.isEmpty ? name : "\(prefix)/\(name)"
            var info = stat()
            guard fstatat(dirfd(directory), name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // gone meanwhile
            let mode = UInt32(info.st_mode)
            switch mode & UInt32(S_IFMT) {
            case UInt32(S_IFREG): try visit(Entry(path: path, kind: .file, size: Int64(info.st_size), mode: mode & 0o7777))
            case UInt32(S_IFLNK): try visit(Entry(path: path, kind: .link, size: 0, mode: mode & 0o7777))
            case UInt32(S_IFDIR):
                try visit(Entry(path: path, kind: .folder, size: 0, mode: mode & 0o7777))
                guard depth < maxDepth, enter(path) else { continue }
                let child = openat(dirfd(directory), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else { continue }  // replaced by a link or removed since it was listed
                try walk(child, prefix: path, depth: depth + 1, maxEntries: maxEntries, count: &count, enter: enter, visit: visit)
            default: continue
            }
        }
    }

    /// Opens the regular file at `path` (relative, `/`-separated) below `root` for reading, through no link;
    /// the caller closes the descriptor. Throws when a component is a link, or the file is not a regular file.
    public static func openFile(_ path: String, root: String) throws -> Int32 {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast(), !parts.contains(".."), name != ".." else { throw WalkError(path: path, errno: EINVAL) }
        var current = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard current >= 0 else { throw WalkError(path: root, errno: errno) }
        for part in parts {
            let next = openat(current, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let failure = errno
            close(current)
            guard next >= 0 else { throw WalkError(path: path, errno: failure) }
            current = next
        }
        // O_NONBLOCK: a FIFO swapped in for the file must not hang the server; it is refused just below.
        let file = openat(current, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        let failure = errno
        close(current)
        guard file >= 0 else { throw WalkError(path: path, errno: failure) }
        var info = stat()
        guard fstat(file, &info) == 0, UInt32(info.st_mode) & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            close(file)
            throw WalkError(path: path, errno: EINVAL)
        }
        return file
    }

    /// The target of the link at `path` below `root`, read through no other link.
    public static func linkTarget(_ path: String, root: String) throws -> String {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast() else { throw WalkError(path: path, errno: EINVAL) }
        var current = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard current >= 0 else { throw WalkError(path: root, errno: errno) }
        defer { close(current) }
        for part in parts {
            let next = openat(current, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { throw WalkError(path: path, errno: errno) }
            close(current)
            current = next
        }
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlinkat(current, name, &buffer, 4096)
        guard count >= 0 else { throw WalkError(path: path, errno: errno) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A path of the workspace that could not be read (or was refused: `ELOOP` for a link where a folder or file was expected).
public struct WalkError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var description: String {
        errno == ELOOP || errno == ENOTDIR
            ? "\"\(path)\" passes through a symbolic link or is one; links are not followed"
            : "\"\(path)\" cannot be read (\(String(cString: strerror(errno))))"
    }
}
