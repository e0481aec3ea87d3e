import CLibArchive
import Foundation

/// Writes one archive entry at a time below the destination folder, by `SourceArchive`'s rules. Every
/// path is walked one component at a time from the destination's descriptor with `O_NOFOLLOW`, so neither a
/// link in the archive nor one already on disk can send a write elsewhere.
struct EntryWriter {
    let root: Int32
    let destination: String
    let limits: SourceArchiveLimits
    private(set) var written: Int64 = 0

    init(root: Int32, destination: String, limits: SourceArchiveLimits) {
        self.root = root
        self.destination = destination
        self.limits = limits
    }

    mutating func write(entry: OpaquePointer, from archive: OpaquePointer) throws {
        let rawPath = archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
        let components = try Self.components(of: rawPath)
        if components.isEmpty { return }  // "./" itself
        let path = components.joined(separator: "/")
        if archive_entry_hardlink(entry) != nil {
            throw SourceArchiveError.refusedEntry(path: path, reason: "is a hard link; only files, folders and links within the source are unpacked")
        }
        let type = UInt32(archive_entry_filetype(entry)) & flowforge_ae_ifmt
        let parent = try openFolder(Array(components.dropLast()), creating: true, for: path)
        defer { close(parent) }
        let name = components[components.count - 1]
        switch type {
        case flowforge_ae_ifdir:
            if mkdirat(parent, name, 0o755) != 0 && errno != EEXIST { throw Self.failure(path, "cannot be created") }
            // An existing entry of that name must be a real folder, not a link or a file.
            let folder = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard folder >= 0 else { throw SourceArchiveError.refusedEntry(path: path, reason: "is a folder where the archive already has a file or link") }
            close(folder)
        case flowforge_ae_ifreg:
            try writeFile(parent: parent, name: name, path: path, mode: UInt32(archive_entry_perm(entry)), from: archive)
        case flowforge_ae_iflnk:
            let target = archive_entry_symlink(entry).map { String(cString: $0) } ?? ""
            guard Self.linkStaysInside(target: target, linkFolder: Array(components.dropLast())) else {
                throw SourceArchiveError.refusedEntry(path: path, reason: "is a link to \"\(target)\", outside the source; only links within it are unpacked")
            }
            guard symlinkat(target, parent, name) == 0 else {
                throw errno == EEXIST
                    ? SourceArchiveError.refusedEntry(path: path, reason: "appears twice in the archive")
                    : Self.failure(path, "cannot be created")
            }
        default:
            throw SourceArchiveError.refusedEntry(path: path, reason: "is a device, FIFO or socket; only files, folders and links are unpacked")
        }
    }

    /// The path's components; refuses what could name something outside the destination.
    static func components(of path: String) throws -> [String] {
        if path.hasPrefix("/") { throw SourceArchiveError.refusedEntry(path: path, reason: "has an absolute path; archive paths must be relative") }
        if path.utf8.contains(0) || path.contains("\\") {
            throw SourceArchiveError.refusedEntry(path: path, reason: "has a NUL or a backslash in its path")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        if parts.contains("..") { throw SourceArchiveError.refusedEntry(path: path, reason: "has \"..\" in its path, which would leave the workspace") }
        return parts
    }

    /// True when `target`, read from the folder holding the link, names a place inside the destination.
    static func linkStaysInside(target: String, linkFolder: [String]) -> Bool {
        guard !target.isEmpty, !target.hasPrefix("/"), !target.utf8.contains(0) else { return false }
        var depth = linkFolder
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if depth.isEmpty { return false }
                depth.removeLast()
            default: depth.append(String(part))
            }
        }
        return true
    }

    /// Opens the folder `components` below the destination (creating missing ones), refusing to pass
    /// through a link; the caller closes the descriptor.
    func openFolder(_ components: [String], creating: Bool, for path: String) throws -> Int32 {
        var current = dup(root)
        guard current >= 0 else { throw Self.failure(path, "cannot be opened") }
        for component in components {
            if creating && mkdirat(current, component, 0o755) != 0 && errno != EEXIST {
                close(current)
                throw Self.failure(path, "cannot be created")
            }
            let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(current)
            guard next >= 0 else {
                throw SourceArchiveError.refusedEntry(path: path, reason: "lies below \"\(component)\", which is a link or a file; writing through links is refused")
            }
            current = next
        }
        return current
    }

    mutating func writeFile(parent: Int32, name: String, path: String, mode: UInt32, from archive: OpaquePointer) throws {
        // Only the permission bits that matter for source: readable, and executable when it was.
        let permissions: mode_t = mode & 0o111 != 0 ? 0o755 : 0o644
        let file = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
        guard file >= 0 else {
            throw errno == EEXIST
                ? SourceArchiveError.refusedEntry(path: path, reason: "appears twice in the archive")
                : Self.failure(path, "cannot be created")
        }
        defer { close(file) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { archive_read_data(archive, $0.baseAddress, $0.count) }
            if count == 0 { return }
            guard count > 0 else { throw SourceArchiveError.unreadable("\"\(path)\": \(SourceArchive.error(archive))") }
            written += Int64(count)
            if written > limits.maxUnpackedBytes { throw SourceArchiveError.tooLarge(limit: limits.maxUnpackedBytes) }
            var offset = 0
            while offset < count {
                let done = buffer.withUnsafeBytes { Foundation.write(file, $0.baseAddress! + offset, count - offset) }
                guard done > 0 else { throw Self.failure(path, "cannot be written (errno \(errno))") }
                offset += done
            }
        }
    }

    static func failure(_ path: String, _ what: String) -> SourceArchiveError {
        .refusedEntry(path: path, reason: what + " (errno \(errno))")
    }
}
