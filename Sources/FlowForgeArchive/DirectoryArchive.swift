import CLibArchive
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Packs a folder into a tar file (optionally gzip-compressed): a Docker build context, or a working copy
/// for upload.
///
/// Contract:
/// - the tree is read through descriptors opened below `root` with `O_NOFOLLOW`: a symbolic link is stored
///   as a link (its target as written), never followed, so nothing outside `root` is read; FIFOs, sockets
///   and devices are left out;
/// - `filter` decides for each path (relative, `/`-separated) what is kept; a folder left out is not entered
///   unless the filter says `.descendOnly`;
/// - the output is deterministic for the same tree: entries sorted by name, times zero, owner root, only the
///   permission bits kept, so hashing the file hashes the content (what a build is cached by);
/// - a file that grows while read is cut at the size it had when opened, one that shrinks is padded.
/// Blocking file I/O: call it from a thread pool, never on the cooperative threads.
public enum DirectoryArchive {
    public enum Compression: Sendable { case none, gzip }

    /// What `filter` answers for one path.
    public enum Decision: Sendable {
        case include
        case exclude
        /// A folder that is left out itself but whose entries are each asked about (an exception below an
        /// excluded folder, as `.dockerignore`'s `!` allows).
        case descendOnly
    }

    public struct Summary: Sendable, Equatable {
        public var entries: Int
        /// Bytes of file content stored.
        public var contentBytes: Int64
    }

    @discardableResult
    public static func write(
        root: String, to file: String, compression: Compression = .none,
        filter: (_ path: String, _ isDirectory: Bool) -> Decision = { _, _ in .include }
    ) throws -> Summary {
        guard let archive = archive_write_new() else { throw SourceArchiveError.unwritable("libarchive could not start") }
        defer { archive_write_free(archive) }
        // pax only where ustar cannot say it (long or non-ASCII names): plain ustar otherwise.
        archive_write_set_format_pax_restricted(archive)
        if compression == .gzip { archive_write_add_filter_gzip(archive) }
        guard archive_write_open_filename(archive, file) == ARCHIVE_OK else {
            throw SourceArchiveError.unwritable("cannot write \(file): \(SourceArchive.error(archive))")
        }
        let top = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard top >= 0 else { throw SourceArchiveError.unwritable("the folder \(root) cannot be opened (errno \(errno))") }
        defer { close(top) }
        let summary = try withoutActuallyEscaping(filter) { filter in
            var packer = Packer(archive: archive, filter: filter)
            try packer.pack(folder: top, prefix: "")
            return packer.summary
        }
        guard archive_write_close(archive) == ARCHIVE_OK else {
            throw SourceArchiveError.unwritable("cannot finish \(file): \(SourceArchive.error(archive))")
        }
        return summary
    }

    struct Packer {
        let archive: OpaquePointer
        let filter: (String, Bool) -> Decision
        var summary = Summary(entries: 0, contentBytes: 0)

        mutating func pack(folder: Int32, prefix: String) throws {
            for name in try Self.names(in: folder) {
                let path = prefix + name
                var info = stat()
                guard fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }  // removed meanwhile
                switch info.st_mode & S_IFMT {
                case S_IFDIR:
                    let decision = filter(path, true)
                    if decision == .exclude { continue }
                    let child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard child >= 0 else { continue }  // replaced by a link or removed since the stat
                    defer { close(child) }
                    if decision == .include { try header(path, type: flowforge_ae_ifdir, mode: info.st_mode, size: 0) }
                    try pack(folder: child, prefix: path + "/")
                case S_IFREG:
                    guard filter(path, false) == .include else { continue }
                    try packFile(folder: folder, name: name, path: path)
                case S_IFLNK:
                    guard filter(path, false) == .include, let target = Self.linkTarget(folder: folder, name: name) else { continue }
                    try header(path, type: flowforge_ae_iflnk, mode: 0o777, size: 0, link: target)
                default:
                    continue
                }
            }
        }

        mutating func packFile(folder: Int32, name: String, path: String) throws {
            // O_NONBLOCK: a FIFO swapped in after the stat must not hang the pack.
            let file = openat(folder, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            guard file >= 0 else { return }
            defer { close(file) }
            var info = stat()
            guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }
            let size = Int64(info.st_size)
            try header(path, type: flowforge_ae_ifreg, mode: info.st_mode, size: size)
            var remaining = size
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while remaining > 0 {
                let wanted = Int(min(Int64(buffer.count), remaining))
                var count = buffer.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress!, wanted) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    // Shrunk while read: pad, so the entry still has the size its header says.
                    buffer.withUnsafeMutableBytes { _ = memset($0.baseAddress!, 0, wanted) }
                    count = wanted
                }
                let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress!, count) }
                guard written == count else { throw SourceArchiveError.unwritable("cannot write \(path): \(SourceArchive.error(archive))") }
                remaining -= Int64(count)
            }
            summary.contentBytes += size
        }

        mutating func header(_ path: String, type: UInt32, mode: mode_t, size: Int64, link: String? = nil) throws {
            guard let entry = archive_entry_new() else { throw SourceArchiveError.unwritable("libarchive could not start an entry") }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname_utf8(entry, path)
            archive_entry_set_filetype(entry, type)
            archive_entry_set_perm(entry, mode & 0o777)
            archive_entry_set_size(entry, size)
            archive_entry_set_mtime(entry, 0, 0)
            archive_entry_set_uid(entry, 0)
            archive_entry_set_gid(entry, 0)
            if let link { archive_entry_set_symlink_utf8(entry, link) }
            let status = archive_write_header(archive, entry)
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw SourceArchiveError.unwritable("cannot write \(path): \(SourceArchive.error(archive))")
            }
            summary.entries += 1
        }

        /// The folder's entries (without `.` and `..`) sorted by their bytes, for a stable order.
        static func names(in folder: Int32) throws -> [String] {
            let copy = dup(folder)
            guard copy >= 0, let stream = fdopendir(copy) else {
                if copy >= 0 { close(copy) }
                throw SourceArchiveError.unwritable("a folder cannot be listed (errno \(errno))")
            }
            defer { closedir(stream) }
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }

        static func linkTarget(folder: Int32, name: String) -> String? {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlinkat(folder, name, &buffer, buffer.count - 1)
            guard count > 0 else { return nil }
            return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
