import Foundation

/// An exclusive `flock` on a file, so that two FlowForge processes sharing one data directory never
/// fetch into the same mirror at once.
enum FileLock {
    /// Runs `body` while holding the lock on `path` (created if missing). Blocks the calling thread while
    /// another process holds it: call it only on the blocking thread pool.
    static func withExclusiveLock<T>(
        path: String, _ body: () -> Result<T, GitError>
    ) -> Result<T, GitError> {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            return .failure(.failed("could not open the lock file \(path): \(String(cString: strerror(errno))); "
                + "check that FlowForge's data directory is writable"))
        }
        // Closing the descriptor releases the lock, on every path out of here.
        defer { close(fd) }
        var result: Int32
        repeat {
            result = flock(fd, LOCK_EX)
        } while result != 0 && errno == EINTR
        guard result == 0 else {
            return .failure(.failed("could not lock \(path): \(String(cString: strerror(errno)))"))
        }
        return body()
    }
}
