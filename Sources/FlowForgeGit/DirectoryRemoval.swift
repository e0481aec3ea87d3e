import Foundation

/// Removes a directory tree that a pipeline's steps may have made hard to remove.
enum DirectoryRemoval {
    /// Removes `url`; when that fails (a step left a directory without write or search permission, which
    /// stops even its owner from emptying it), makes every directory under it owner-writable and tries once
    /// more. True when nothing is left. Blocking: call it on the thread pool.
    @discardableResult
    static func remove(_ url: URL) -> Bool {
        let fileManager = FileManager.default
        if (try? fileManager.removeItem(at: url)) != nil || !exists(url) { return true }
        reopen(url)
        try? fileManager.removeItem(at: url)
        return !exists(url)
    }

    private static func exists(_ url: URL) -> Bool {
        var status = stat()
        return lstat(url.path, &status) == 0
    }

    /// `chmod u+rwx` on `directory` and every directory below it, never following symbolic links.
    private static func reopen(_ directory: URL) {
        var status = stat()
        guard lstat(directory.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else { return }
        _ = chmod(directory.path, (status.st_mode & 0o7777) | S_IRWXU)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names { reopen(directory.appendingPathComponent(name)) }
    }
}
