import CLibArchive
import Foundation

/// Packs the cached folders of a workspace into a gzipped tar (pax), read with `WorkspaceWalker` so a step
/// cannot make the server read through a link: files are opened without following links, links are stored
/// as links, and a link whose target leaves the workspace is left out (unpacking, by `SourceArchive`'s
/// rules, would refuse it and with it the whole cache). Restoring is `SourceArchive.extract`.
/// Blocking file I/O: call it from a thread pool.
public enum CacheArchive {
    public struct TooLarge: Error, Sendable {
        public let limit: Int64
    }

    /// What was packed.
    public struct Summary: Sendable {
        public var files = 0
        /// Bytes of file content packed (before compression).
        public var contentBytes: Int64 = 0
    }

    /// Writes the entries below `root` that `include` takes (folders it takes are packed with everything
    /// below them) to `file`. Throws `TooLarge` once the content passes `maxBytes`.
    public static func write(
        root: String, to file: String, maxBytes: Int64, maxEntries: Int = 200_000,
        include: (String) -> Bool, enter: (String) -> Bool
    ) throws -> Summary {
        guard let archive = archive_write_new() else { throw SourceArchiveError.unreadable("libarchive could not start") }
        defer { archive_write_free(archive) }
        archive_write_add_filter_gzip(archive)
        archive_write_set_format_pax_restricted(archive)
        guard archive_write_open_filename(archive, file) == ARCHIVE_OK else {
            throw SourceArchiveError.unreadable(SourceArchive.error(archive))
        }
        guard let entry = archive_entry_new() else { throw SourceArchiveError.unreadable("libarchive could not start") }
        defer { archive_entry_free(entry) }
        var summary = Summary()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        try WorkspaceWalker.walk(root: root, maxEntries: maxEntries, enter: enter) { item in
            guard include(item.path) else { return }
            archive_entry_clear(entry)
            archive_entry_set_pathname(entry, item.path)
            archive_entry_set_perm(entry, mode_t(item.mode & 0o755))
            switch item.kind {
            case .folder:
                archive_entry_set_filetype(entry, flowforge_ae_ifdir)
                try header(archive, entry)
            case .link:
                let target = try WorkspaceWalker.linkTarget(item.path, root: root)
                let folder = item.path.split(separator: "/").dropLast().map(String.init)
                guard EntryWriter.linkStaysInside(target: target, linkFolder: folder) else { return }
                archive_entry_set_filetype(entry, flowforge_ae_iflnk)
                archive_entry_set_symlink(entry, target)
                try header(archive, entry)
            case .file:
                let source = try WorkspaceWalker.openFile(item.path, root: root)
                defer { close(source) }
                var info = stat()
                guard fstat(source, &info) == 0 else { throw WalkError(path: item.path, errno: errno) }
                // The size goes in the header first: a file that grows meanwhile is cut there, one that shrinks fails.
                let size = Int64(info.st_size)
                summary.contentBytes += size
                if summary.contentBytes > maxBytes { throw TooLarge(limit: maxBytes) }
                archive_entry_set_filetype(entry, flowforge_ae_ifreg)
                archive_entry_set_size(entry, size)
                try header(archive, entry)
                var left = size
                while left > 0 {
                    let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, min($0.count, Int(left))) }
                    guard count > 0 else { throw WalkError(path: item.path, errno: count == 0 ? EIO : errno) }
                    let written = buffer.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, count) }
                    guard written == count else { throw SourceArchiveError.unreadable(SourceArchive.error(archive)) }
                    left -= Int64(count)
                }
                summary.files += 1
            }
        }
        guard archive_write_close(archive) == ARCHIVE_OK else { throw SourceArchiveError.unreadable(SourceArchive.error(archive)) }
        return summary
    }

    private static func header(_ archive: OpaquePointer, _ entry: OpaquePointer) throws {
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw SourceArchiveError.unreadable(SourceArchive.error(archive)) }
    }
}
