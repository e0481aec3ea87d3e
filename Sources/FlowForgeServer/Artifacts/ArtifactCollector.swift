import FlowForgeArchive
import FlowForgeCore
import FlowForgeStore
import Foundation
import Logging
import NIOPosix

/// Keeps a step's `artifacts:` once it ended: finds the matching files in the workspace (never through a
/// link), stages and hashes each, checks the account's plan quota, stores them and records their metadata.
/// Works on the host folder the backend mounted, so it serves every backend alike.
struct ArtifactCollector: Sendable {
    let store: any ArtifactStore
    let artifacts: any ArtifactRepository
    /// A folder of the server's own for staging copies (beside the store, in the data directory).
    let staging: URL
    let logger: Logger

    /// What one pipeline's steps store into: whose account, how much it may keep.
    struct Owner: Sendable {
        var pipelineID: String
        var userID: String
        var quotaBytes: Int64
    }

    /// Collects `patterns` below `workspace` for `step`; returns the lines to add to the step's log. Never
    /// throws: a failure to keep artifacts is reported in the log, and the pipeline goes on.
    func collect(step: String, patterns: [String], workspace: String, owner: Owner) async -> String {
        var logger = self.logger
        logger[metadataKey: "pipeline_id"] = "\(owner.pipelineID)"
        logger[metadataKey: "step"] = "\(step)"
        let found: (files: [WorkspaceWalker.Entry], links: [String])
        do {
            found = try await NIOThreadPool.singleton.runIfActive { try ArtifactFiles.matches(patterns, root: workspace) }
        } catch let error as WorkspaceWalker.TooManyEntries {
            return Self.line("artifacts not stored: the workspace has more than \(error.limit) entries to look through; narrow the patterns")
        } catch {
            logger.error("could not list the workspace for artifacts", metadata: ["error": "\(error)"])
            return Self.line("artifacts not stored: the workspace could not be read (\(error))")
        }
        var text = found.links.prefix(10).map { Self.line("artifact \($0) is a symbolic link; links are not followed, so it is not stored") }.joined()
        guard !found.files.isEmpty else {
            return text + Self.line("artifacts: no file matches \(patterns.joined(separator: ", "))")
        }
        guard found.files.count <= ArtifactFiles.maxFiles else {
            return text + Self.line("artifacts not stored: \(found.files.count) files match, over the limit of \(ArtifactFiles.maxFiles) per step; narrow the patterns or pack the files into one archive")
        }
        let listed = found.files.reduce(Int64(0)) { $0 + $1.size }
        let used: Int64
        do {
            used = try await artifacts.totalBytes(userID: owner.userID)
        } catch {
            logger.error("could not read the account's artifact usage", metadata: ["error": "\(error)"])
            return text + Self.line("artifacts not stored: the server could not check the storage quota; try again later")
        }
        let allowed = owner.quotaBytes - used
        guard listed <= allowed else {
            return text + Self.overQuota(listed, used: used, quota: owner.quotaBytes)
        }
        do {
            let stored = try await store(found.files, step: step, workspace: workspace, owner: owner, allowed: allowed)
            text += Self.line("artifacts: stored \(stored.count) file\(stored.count == 1 ? "" : "s") (\(stored.reduce(Int64(0)) { $0 + $1.size }) bytes): \(stored.map(\.name).joined(separator: ", "))")
        } catch is ArtifactFiles.TooLarge {
            text += Self.overQuota(allowed + 1, used: used, quota: owner.quotaBytes)
        } catch let error as WalkError {
            text += Self.line("artifacts not stored: \(error)")
        } catch {
            logger.error("could not store artifacts", metadata: ["error": "\(error)"])
            text += Self.line("artifacts not stored: the artifact store failed (\(error)); the operator's log has the details")
        }
        return text
    }

    /// Stages every file first (so a quota overrun or an unreadable file stores none of them), then uploads.
    private func store(_ files: [WorkspaceWalker.Entry], step: String, workspace: String, owner: Owner, allowed: Int64) async throws -> [ArtifactFiles.Staged] {
        let folder = staging.appendingPathComponent(UUID().uuidString, isDirectory: true)
        do {
            let staged = try await stageAndUpload(files, step: step, workspace: workspace, owner: owner, allowed: allowed, in: folder)
            await Self.remove(folder)
            return staged
        } catch {
            await Self.remove(folder)
            throw error
        }
    }

    static func remove(_ folder: URL) async {
        _ = try? await NIOThreadPool.singleton.runIfActive { try? FileManager.default.removeItem(at: folder) }
    }

    private func stageAndUpload(
        _ files: [WorkspaceWalker.Entry], step: String, workspace: String, owner: Owner, allowed: Int64, in folder: URL
    ) async throws -> [ArtifactFiles.Staged] {
        let staged = try await NIOThreadPool.singleton.runIfActive {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var remaining = allowed
            var result: [ArtifactFiles.Staged] = []
            for (index, file) in files.enumerated() {
                let copy = try ArtifactFiles.stage(file.path, root: workspace, to: folder.appendingPathComponent("\(index)"), maxBytes: remaining)
                remaining -= copy.size
                result.append(copy)
            }
            return result
        }
        for file in staged {
            let id = UUID().uuidString.lowercased()
            let key = "artifacts/\(owner.pipelineID)/\(id)"
            try await store.put(key: key, file: file.file, size: file.size, sha256: file.sha256)
            let replaced = try await artifacts.record(ArtifactRecord(
                id: id, pipelineID: owner.pipelineID, userID: owner.userID, step: step, name: file.name, size: file.size,
                sha256: file.sha256, storageKey: key, createdAt: Clock.nowMillis()))
            if let replaced { try? await store.delete(key: replaced) }
        }
        logger.info("stored artifacts", metadata: ["count": "\(staged.count)"])
        return staged
    }

    static func overQuota(_ bytes: Int64, used: Int64, quota: Int64) -> String {
        line("""
            artifacts not stored: they take \(bytes) bytes, and the account already keeps \(used) of the plan's \
            \(quota) bytes of artifact storage; artifacts expire with their pipeline's logs, or upgrade the plan for more
            """)
    }

    static func line(_ text: String) -> String { "==> \(text)\n" }
}
