import Foundation

/// Work trees kept between pipelines, at most one per (account, repository), so that the next checkout of
/// that repository rewrites only the files that differ instead of writing the whole tree again.
///
/// Contract:
/// - A kept tree is a directory `<root>/<key>/` holding `tree/` (the work tree, `.git` included) and `index`
///   (the git index written by the checkout that produced the tree, before any step could touch it).
/// - `claim` and `keep` are single `rename(2)` calls, so several processes sharing `root` never hand one
///   tree to two pipelines: whoever renames the slot away owns it; a `keep` into an occupied slot fails and
///   the caller removes its tree instead.
/// - A claimed tree is untrusted (the previous pipeline's steps could write anything in it): the caller must
///   bring it back to the commit's exact content before use, with the index kept here, never the one
///   inside the tree.
/// - At most `capacity` trees are kept; the least recently kept ones are removed first. `capacity == 0`
///   turns reuse off.
public struct WorkTreeCache: Sendable {
    public let root: URL
    public let capacity: Int

    public init(root: URL, capacity: Int) {
        self.root = root
        self.capacity = max(0, capacity)
    }

    /// A claimed tree, moved to its pipeline's workspace; `index` is beside it, outside the workspace.
    struct Claimed {
        let index: URL
    }

    /// Takes the kept tree for `key`, if any, and moves it to `workspace` (which must not exist). Returns
    /// nil when there is none (or another process took it first); the caller then checks out afresh.
    func claim(key: String, into workspace: URL) -> Claimed? {
        guard capacity > 0 else { return nil }
        let parts = Self.partsDirectory(of: workspace)
        guard rename(slot(key).path, parts.path) == 0 else { return nil }
        let index = Self.indexSnapshot(of: workspace)
        let fileManager = FileManager.default
        do {
            try fileManager.moveItem(at: parts.appendingPathComponent("tree"), to: workspace)
            try? fileManager.removeItem(at: index)
            try fileManager.moveItem(at: parts.appendingPathComponent("index"), to: index)
            try? fileManager.removeItem(at: parts)
            return Claimed(index: index)
        } catch {
            // A slot without both parts was left by a crash mid-keep: not worth repairing.
            try? fileManager.removeItem(at: parts)
            try? fileManager.removeItem(at: workspace)
            return nil
        }
    }

    /// Keeps `workspace` (with the index snapshot its checkout left beside it) as the tree for `key`.
    /// Returns false when it was not kept (reuse off, no snapshot, slot taken); the caller removes it.
    func keep(_ workspace: URL, key: String) -> Bool {
        guard capacity > 0 else { return false }
        let fileManager = FileManager.default
        let index = Self.indexSnapshot(of: workspace)
        guard fileManager.fileExists(atPath: index.path), fileManager.fileExists(atPath: workspace.path) else {
            return false
        }
        let parts = Self.partsDirectory(of: workspace)
        do {
            try? fileManager.removeItem(at: parts)
            try fileManager.createDirectory(at: parts, withIntermediateDirectories: false)
            try fileManager.moveItem(at: index, to: parts.appendingPathComponent("index"))
            try fileManager.moveItem(at: workspace, to: parts.appendingPathComponent("tree"))
            try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        } catch {
            try? fileManager.moveItem(at: parts.appendingPathComponent("tree"), to: workspace)
            try? fileManager.removeItem(at: parts)
            return false
        }
        // rename(2) onto an existing non-empty directory fails, which is the "slot taken" case.
        if rename(parts.path, slot(key).path) != 0 {
            try? fileManager.moveItem(at: parts.appendingPathComponent("tree"), to: workspace)
            try? fileManager.removeItem(at: parts)
            return false
        }
        return true
    }

    /// Removes the least recently kept trees beyond `capacity`, never `newest` (the one just kept: the
    /// clock's tick is coarser than two keeps in a row, so modification times alone may tie). Each is first
    /// renamed away, so nobody can claim a half-deleted tree.
    func evictBeyondCapacity(sparing newest: String, scratch: URL) {
        let fileManager = FileManager.default
        guard let names = try? fileManager.contentsOfDirectory(atPath: root.path), names.count > capacity else { return }
        let byAge = names.filter { $0 != newest }.map { name -> (String, Date) in
            let modified = (try? fileManager.attributesOfItem(atPath: slot(name).path)[.modificationDate]) as? Date
            return (name, modified ?? .distantPast)
        }.sorted { $0.1 < $1.1 }
        for (name, _) in byAge.prefix(names.count - capacity) {
            let doomed = scratch.appendingPathComponent("evicted-\(UUID().uuidString)", isDirectory: true)
            try? fileManager.createDirectory(at: scratch, withIntermediateDirectories: true)
            if rename(slot(name).path, doomed.path) == 0 { try? fileManager.removeItem(at: doomed) }
        }
    }

    private func slot(_ key: String) -> URL {
        root.appendingPathComponent(key, isDirectory: true)
    }

    /// Where a workspace's checkout leaves a copy of its index: beside the workspace, so the containers,
    /// which see only the workspace, cannot change it.
    static func indexSnapshot(of workspace: URL) -> URL {
        URL(fileURLWithPath: workspace.path + ".index")
    }

    static func partsDirectory(of workspace: URL) -> URL {
        URL(fileURLWithPath: workspace.path + ".parts", isDirectory: true)
    }
}
