import Foundation

/// Finds what pipelines left in the workspaces folder: a pipeline's workspace `<id>`, its checkout's
/// siblings (`<id>.index`, `<id>.parts`, …) and trees moved aside as `<id>.unremovable-<uuid>`.
public enum WorkspaceSweeper {
    /// The pipeline id each entry of `root` belongs to (the part of its name before the first dot).
    /// Blocking.
    public static func entries(in root: URL) -> [(pipelineID: String, url: URL)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return [] }
        return names.compactMap { name in
            guard let id = name.split(separator: ".", maxSplits: 1).first, !id.isEmpty else { return nil }
            return (String(id), root.appendingPathComponent(name))
        }
    }

    /// Removes one entry, also one that a step made hard to remove. True when it is gone. Blocking.
    @discardableResult
    public static func remove(_ url: URL) -> Bool { DirectoryRemoval.remove(url) }
}
