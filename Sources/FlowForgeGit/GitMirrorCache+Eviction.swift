import Foundation

extension GitMirrorCache {
    /// A mirror on disk, for the size-bounded eviction.
    struct MirrorUsage {
        let directory: URL
        let lockPath: String
        let bytes: Int64
        let lastUsed: Date
    }

    /// Removes the least recently used mirrors until the cache holds at most `maxBytes`, sparing any used
    /// within `recent` (a pipeline may still be checking out from it) and any whose lock another fetch
    /// holds. Returns how many were removed. A removed mirror is fetched again by its next pipeline.
    public func evict(toFit maxBytes: Int64, sparingUseWithin recent: TimeInterval = 3600) async -> Int {
        let root = self.root
        return (try? await threadPool.runIfActive { Self.evictBlocking(root: root, maxBytes: maxBytes, recent: recent) }) ?? 0
    }

    static func evictBlocking(root: URL, maxBytes: Int64, recent: TimeInterval) -> Int {
        var mirrors = usage(root: root)
        var total = mirrors.reduce(0) { $0 + $1.bytes }
        guard total > maxBytes else { return 0 }
        mirrors.sort { $0.lastUsed < $1.lastUsed }
        var removed = 0
        for mirror in mirrors where total > maxBytes && mirror.lastUsed < Date(timeIntervalSinceNow: -recent) {
            let fd = open(mirror.lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // Never wait: a mirror being fetched into is in use.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { continue }
            if DirectoryRemoval.remove(mirror.directory) {
                total -= mirror.bytes
                removed += 1
            }
        }
        return removed
    }

    /// Every mirror under `root` with its size and when a fetch last wrote to it.
    static func usage(root: URL) -> [MirrorUsage] {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.filter { $0.hasSuffix(".git") }.map { name in
            let directory = root.appendingPathComponent(name, isDirectory: true)
            let key = String(name.dropLast(".git".count))
            let lockPath = root.appendingPathComponent("\(key).lock").path
            // Every checkout touches the lock file (`markUsed`), so its time is the mirror's last use.
            let lastUsed = (try? fileManager.attributesOfItem(atPath: lockPath)[.modificationDate]) as? Date
            return MirrorUsage(
                directory: directory, lockPath: lockPath,
                bytes: size(of: directory), lastUsed: lastUsed ?? .distantPast)
        }
    }

    /// Records that a checkout used the mirror now (the lock file's modification time), for `evict`.
    static func markUsed(_ mirror: MirrorLocation) {
        _ = utimes(mirror.lockPath, nil)
    }

    /// Bytes allocated on disk by the files under `directory`, not following links.
    static func size(of directory: URL) -> Int64 {
        guard let walker = FileManager.default.enumerator(
            at: directory, includingPropertiesForKeys: [.totalFileAllocatedSizeKey, .isSymbolicLinkKey], options: [])
        else { return 0 }
        var total: Int64 = 0
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.totalFileAllocatedSizeKey])
            total += Int64(values?.totalFileAllocatedSize ?? 0)
        }
        return total
    }
}
