import Crypto
import FlowForgeArchive
import FlowForgeCore
import FlowForgeStore
import Foundation
import Logging
import NIOPosix

/// `cache:` of flowforge.yml: one archive per account, repository and branch in the artifact store,
/// restored into the workspace before the first step and saved after a successful run. A branch without
/// a cache of its own starts from its default branch's. Every failure is a line in the log, never a failed
/// pipeline: a cache only saves time.
struct PipelineCache: Sendable {
    let store: any ArtifactStore
    let caches: any CacheRepository
    /// A folder of the server's own for archives on their way in or out.
    let staging: URL
    let logger: Logger

    /// The branches whose cache a pipeline may start from, its own first. The default branch is not kept on
    /// the pipeline: a pull request's target branch stands in for it, then `main` and `master`.
    static func branches(for pipeline: PipelineRecord) -> [String] {
        var result = [pipeline.branch]
        for branch in [pipeline.targetBranch, "main", "master"].compactMap({ $0 }) where !result.contains(branch) {
            result.append(branch)
        }
        return result
    }

    /// Restores the first cache found into `workspace`; returns the line for the log, or nil when there is none.
    func restore(for pipeline: PipelineRecord, workspace: String, maxBytes: Int64) async -> String? {
        do {
            var found: CacheRecord?
            for branch in Self.branches(for: pipeline) {
                found = try await caches.find(userID: pipeline.userID, repository: pipeline.repoURL, branch: branch)
                if found != nil { break }
            }
            guard let cache = found else { return nil }
            let file = staging.appendingPathComponent("\(UUID().uuidString).tar.gz")
            try await NIOThreadPool.singleton.runIfActive { try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true) }
            defer { try? FileManager.default.removeItem(at: file) }
            guard try await download(cache.storageKey, to: file) else { return Self.line("cache not restored: the cache of \(cache.branch) is missing from the store") }
            // Unpacked by the rules for uploaded sources: nothing may land outside the workspace or pass a link.
            let limits = SourceArchiveLimits(maxUnpackedBytes: maxBytes)
            try await NIOThreadPool.singleton.runIfActive { try SourceArchive.extract(file: file.path, into: workspace, limits: limits) }
            return Self.line("cache restored from \(cache.branch) (\(cache.size) bytes)")
        } catch {
            logger.warning("could not restore the cache", metadata: ["pipeline_id": "\(pipeline.id)", "error": "\(error)"])
            return Self.line("cache not restored: \(error)")
        }
    }

    /// Packs `paths` of `workspace` and keeps them as the cache of the pipeline's branch; returns the log line.
    func save(_ paths: [String], for pipeline: PipelineRecord, workspace: String, maxBytes: Int64) async -> String {
        let file = staging.appendingPathComponent("\(UUID().uuidString).tar.gz")
        do {
            let summary = try await NIOThreadPool.singleton.runIfActive {
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
                return try CacheArchive.write(
                    root: workspace, to: file.path, maxBytes: maxBytes,
                    include: { WorkspacePattern.matches(paths, $0) },
                    enter: { WorkspacePattern.mayMatchBelow(paths, folder: $0) })
            }
            defer { try? FileManager.default.removeItem(at: file) }
            guard summary.files > 0 else { return Self.line("cache not saved: no file matches \(paths.joined(separator: ", "))") }
            let (size, sha256) = try await NIOThreadPool.singleton.runIfActive { try Self.sizeAndHash(file) }
            let key = "caches/\(pipeline.userID)/\(UUID().uuidString.lowercased())"
            try await store.put(key: key, file: file, size: size, sha256: sha256)
            let replaced = try await caches.save(CacheRecord(
                userID: pipeline.userID, repository: pipeline.repoURL, branch: pipeline.branch, size: size, storageKey: key,
                updatedAt: Clock.nowMillis()))
            if let replaced { try? await store.delete(key: replaced) }
            return Self.line("cache saved (\(summary.files) files, \(size) bytes) for \(pipeline.branch)")
        } catch let error as CacheArchive.TooLarge {
            try? FileManager.default.removeItem(at: file)
            return Self.line("cache not saved: its files take more than \(error.limit) bytes, the plan's cache limit; cache fewer paths")
        } catch {
            try? FileManager.default.removeItem(at: file)
            logger.warning("could not save the cache", metadata: ["pipeline_id": "\(pipeline.id)", "error": "\(error)"])
            return Self.line("cache not saved: \(error)")
        }
    }

    private func download(_ key: String, to file: URL) async throws -> Bool {
        let path = file.path
        let box = try await NIOThreadPool.singleton.runIfActive { () throws -> FileDescriptorBox in
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw ArtifactStoreError(description: "cannot create \(path) (errno \(errno))") }
            return FileDescriptorBox(descriptor: descriptor)
        }
        return try await store.read(key: key) { chunk in
            try await NIOThreadPool.singleton.runIfActive { try box.write(Array(buffer: chunk)) }
        }
    }

    static func sizeAndHash(_ file: URL) throws -> (Int64, String) {
        let box = try FileDescriptorBox(openForReading: file.path)
        var hasher = SHA256()
        var size: Int64 = 0
        while true {
            let bytes = try box.read(upTo: FileChunks.chunkSize)
            if bytes.isEmpty { break }
            size += Int64(bytes.count)
            hasher.update(data: bytes)
        }
        return (size, Data(hasher.finalize()).hexString)
    }

    static func line(_ text: String) -> String { "==> \(text)\n" }
}
