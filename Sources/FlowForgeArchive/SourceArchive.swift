import CLibArchive
import Foundation

/// Unpacks an uploaded source archive (.zip, .tar, .tar.gz) into an empty workspace folder, refusing
/// anything that could write outside it or is not plain source.
///
/// Contract:
/// - every entry's path is relative, without `..`, and stays below the destination; an absolute path, a `..`
///   component or a NUL is refused;
/// - regular files and folders are written; a symbolic link is made only when its target, resolved from the
///   link's folder, stays inside the destination; no later entry may pass through a link (each folder is
///   opened without following links), so a link cannot redirect a write;
/// - hard links, devices, FIFOs and sockets are refused; setuid/setgid/sticky bits are dropped, the
///   executable bit is kept;
/// - the bytes written are counted as they are written and the whole unpack stops past
///   `limits.maxUnpackedBytes`; the entry count is capped at `limits.maxEntries`; an entry written twice is refused;
/// - on any refusal an error is thrown and the caller removes the destination (partly written).
/// Blocking file I/O: call it from a thread pool, never on the cooperative threads.
public enum SourceArchive {
    public static func extract(file: String, into destination: String, limits: SourceArchiveLimits) throws {
        guard let archive = archive_read_new() else { throw SourceArchiveError.unreadable("libarchive could not start") }
        defer { archive_read_free(archive) }
        archive_read_support_filter_gzip(archive)
        archive_read_support_format_tar(archive)
        archive_read_support_format_gnutar(archive)
        archive_read_support_format_zip(archive)
        guard archive_read_open_filename(archive, file, 64 * 1024) == ARCHIVE_OK else {
            throw SourceArchiveError.unreadable(Self.error(archive))
        }
        let root = open(destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw SourceArchiveError.unreadable("the workspace folder cannot be opened (errno \(errno))") }
        defer { close(root) }

        var writer = EntryWriter(root: root, destination: destination, limits: limits)
        var entry: OpaquePointer?
        var entries = 0
        while true {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw SourceArchiveError.unreadable(Self.error(archive))
            }
            entries += 1
            if entries > limits.maxEntries { throw SourceArchiveError.tooManyEntries(limit: limits.maxEntries) }
            try writer.write(entry: entry, from: archive)
        }
    }

    static func error(_ archive: OpaquePointer) -> String {
        archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    }
}
