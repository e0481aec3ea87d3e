import Foundation
import NIOCore
import NIOPosix

/// Objects as files below `root` (the data directory's `artifacts` folder), one file per key. A `put`
/// copies into a temporary file and renames it into place, so a reader never sees half an object.
struct FileArtifactStore: ArtifactStore {
    let root: URL

    func put(key: String, file: URL, size: Int64, sha256: String) async throws {
        let target = try path(of: key)
        try await NIOThreadPool.singleton.runIfActive {
            let folder = target.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".\(UUID().uuidString).partial")
            do {
                try FileManager.default.copyItem(at: file, to: temporary)
                guard rename(temporary.path, target.path) == 0 else {
                    throw ArtifactStoreError(description: "cannot move \(key) into place (errno \(errno))")
                }
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
        }
    }

    func read(key: String, _ body: (ByteBuffer) async throws -> Void) async throws -> Bool {
        let path = try path(of: key).path
        let box: FileDescriptorBox
        do {
            box = try await NIOThreadPool.singleton.runIfActive { try FileDescriptorBox(openForReading: path) }
        } catch {
            if !FileManager.default.fileExists(atPath: path) { return false }
            throw error
        }
        while true {
            let bytes = try await NIOThreadPool.singleton.runIfActive { try box.read(upTo: FileChunks.chunkSize) }
            if bytes.isEmpty { return true }
            try await body(ByteBuffer(bytes: bytes))
        }
    }

    func delete(key: String) async throws {
        let path = try path(of: key).path
        try await NIOThreadPool.singleton.runIfActive {
            guard unlink(path) == 0 || errno == ENOENT else {
                throw ArtifactStoreError(description: "cannot delete \(key) (errno \(errno))")
            }
        }
    }

    /// Keys are FlowForge's own; this only makes sure a bug could never turn one into a path outside `root`.
    private func path(of key: String) throws -> URL {
        let parts = key.split(separator: "/")
        guard !parts.isEmpty, parts.allSatisfy({ $0 != "." && $0 != ".." && !$0.hasPrefix(".") }) else {
            throw ArtifactStoreError(description: "\(key) is not a storage key")
        }
        return parts.reduce(root) { $0.appendingPathComponent(String($1)) }
    }
}
