import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Clears a reused work tree of everything a checkout would not have produced and libgit2 might trust or
/// follow, before libgit2 brings it to the commit. The previous pipeline's steps ran as root in it.
///
/// Never follows a symbolic link: every entry is looked at with `lstat`. Removed are:
/// - symbolic links, FIFOs, sockets and device nodes (tracked links are written again by the checkout, and no
///   later step meets a link planted to lead outside the workspace);
/// - files and directories owned by someone else, with set-id or sticky bits, or that the owner cannot
///   read and write (a fresh checkout never makes those);
/// - files with more than one link (another name for them could be anywhere in the tree);
/// - every file the trusted index does not vouch for: untracked ones, and tracked ones whose change time,
///   inode or size differ from what the checkout recorded (so their content may have changed);
/// - directories left empty by the above (a checkout never leaves empty directories).
/// What is left are exactly the files the last checkout wrote, unchanged; libgit2 then writes what is
/// missing or differs in the new commit.
struct WorkTreeSanitizer {
    let root: URL
    let trusted: TrustedIndex
    /// Deeper trees than this are cut off and removed: no checkout produces them, and it bounds recursion.
    let maxDepth = 128
    private let owner = geteuid()

    func run() {
        visit(root.path, relative: "", depth: 0)
    }

    /// Returns whether `directory` still has entries afterwards.
    @discardableResult
    private func visit(_ directory: String, relative: String, depth: Int) -> Bool {
        guard let handle = opendir(directory) else { return true }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name == "." || name == ".." || (depth == 0 && name == ".git") { continue }
            names.append(name)
        }
        closedir(handle)

        var kept = false
        for name in names {
            let path = directory + "/" + name
            let relativePath = relative + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            let permissions = info.st_mode & 0o7777
            let ownedAndPlain = info.st_uid == owner && permissions & 0o7000 == 0
            if kind == S_IFDIR {
                if ownedAndPlain && permissions & 0o700 == 0o700 && depth < maxDepth {
                    if visit(path, relative: relativePath + "/", depth: depth + 1) {
                        kept = true
                    } else {
                        rmdir(path)
                    }
                } else {
                    try? FileManager.default.removeItem(atPath: path)
                }
            } else if kind == S_IFREG && ownedAndPlain && permissions & 0o600 == 0o600 && info.st_nlink == 1
                && trusted.vouches(for: relativePath, info) {
                kept = true
            } else {
                unlink(path)
            }
        }
        return kept
    }
}
