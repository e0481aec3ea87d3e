import CLibGit2
import Foundation

/// What a checkout's own index recorded about each file it wrote: the identity a file must still have for
/// FlowForge to believe its content is unchanged.
///
/// The change time (`ctime`) is the witness: every write, `chmod`, `chown` or rename sets it to the current
/// time, and no unprivileged call can set it back. libgit2's checkout only compares size and modification
/// time, which a step may forge with `touch -d`, so a reused tree is checked against this table first.
struct TrustedIndex {
    struct Identity: Equatable {
        var ctimeSeconds: Int32
        var ctimeNanoseconds: UInt32
        var inode: UInt32
        var size: UInt32
    }

    let entries: [String: Identity]

    /// Reads the index file at `path` (a snapshot the containers never saw).
    init(path: String) throws(LibGit2Failure) {
        var index: OpaquePointer?
        try gitCall("reading the kept index") { git_index_open(&index, path) }
        defer { git_index_free(index) }
        var entries: [String: Identity] = [:]
        let count = git_index_entrycount(index)
        entries.reserveCapacity(count)
        for position in 0..<count {
            guard let entry = git_index_get_byindex(index, position)?.pointee, let path = entry.path else { continue }
            entries[String(cString: path)] = Identity(
                ctimeSeconds: entry.ctime.seconds, ctimeNanoseconds: entry.ctime.nanoseconds,
                inode: entry.ino, size: entry.file_size)
        }
        self.entries = entries
    }

    /// Whether the file at `relativePath`, as `lstat` saw it, is the one the checkout wrote, untouched.
    func vouches(for relativePath: String, _ info: stat) -> Bool {
        guard let recorded = entries[relativePath] else { return false }
        return recorded == Identity(
            ctimeSeconds: Int32(truncatingIfNeeded: info.st_ctim.tv_sec),
            ctimeNanoseconds: UInt32(truncatingIfNeeded: info.st_ctim.tv_nsec),
            inode: UInt32(truncatingIfNeeded: info.st_ino),
            size: UInt32(truncatingIfNeeded: info.st_size))
    }
}
