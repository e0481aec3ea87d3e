import Crypto
import FlowForgeArchive
import FlowForgeStore
import Foundation
import NIOPosix

/// Pipelines whose workspace is an uploaded archive instead of a clone: checked when uploaded, kept in the
/// database until the pipeline ends (any replica's worker can unpack it), unpacked by `SourceArchive`'s rules.
///
/// Such a pipeline's `repo_url` is `upload:<file name>`, and its `commit_sha` the archive's SHA-1 (what the
/// run was built from, as a commit names a tree).
struct UploadedSources: Sendable {
    static let scheme = "upload:"

    let store: any PipelineSourceRepository
    let settings: UploadSettings
    /// Where archives are written and test-unpacked while checked; emptied after each use.
    let scratch: URL

    static func isUpload(_ pipeline: PipelineRecord) -> Bool { pipeline.repoURL.hasPrefix(scheme) }

    /// The file name ending of an uploaded Dockerfile: the upload is the environment, not the source.
    static let dockerfileType = ".dockerfile"
    /// Where an uploaded Dockerfile is put in the (otherwise empty) workspace, its build context.
    static let dockerfileName = "Dockerfile"

    static func isDockerfile(fileName: String) -> Bool { fileName.lowercased().hasSuffix(dockerfileType) }
    static func isDockerfile(_ pipeline: PipelineRecord) -> Bool { isUpload(pipeline) && isDockerfile(fileName: pipeline.repoURL) }

    /// Unpacks `bytes` once into a scratch folder, so a hostile or broken archive is refused to the uploader
    /// (422) rather than failing later in a worker. Throws `SourceArchiveError`.
    func check(_ bytes: [UInt8], fileName: String) async throws {
        let scratch = self.scratch, limits = self.limits
        try await NIOThreadPool.singleton.runIfActive {
            let folder = scratch.appendingPathComponent(UUID().uuidString, isDirectory: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            try Self.unpack(bytes, fileName: fileName, into: folder.appendingPathComponent("tree"), file: folder.appendingPathComponent("archive"), limits: limits)
        }
    }

    func keep(_ bytes: [UInt8], fileName: String, pipelineID: String) async throws {
        try await store.store(pipelineID: pipelineID, fileName: fileName, content: bytes, at: Clock.nowMillis())
    }

    /// Writes the pipeline's archive into `workspace` (created); returns its SHA-1 in hex.
    func unpack(pipelineID: String, into workspace: URL) async throws -> String {
        guard let source = try await store.content(pipelineID: pipelineID) else {
            throw SourceArchiveError.unreadable("the uploaded source is no longer kept (a pipeline from an upload runs once; upload it again)")
        }
        let scratch = self.scratch, limits = self.limits
        try await NIOThreadPool.singleton.runIfActive {
            let file = scratch.appendingPathComponent("\(pipelineID).archive")
            defer { try? FileManager.default.removeItem(at: file) }
            try Self.unpack(source.bytes, fileName: source.fileName, into: workspace, file: file, limits: limits)
        }
        return Insecure.SHA1.hash(data: source.bytes).map { String(format: "%02x", $0) }.joined()
    }

    func remove(pipelineID: String) async {
        try? await store.remove(pipelineID: pipelineID)
    }

    var limits: SourceArchiveLimits { SourceArchiveLimits(maxUnpackedBytes: settings.maxUnpackedBytes) }

    /// Blocking: writes the archive to `file` (libarchive reads files) and unpacks it into `folder`; an
    /// uploaded Dockerfile is written into `folder` as `Dockerfile`, alone.
    static func unpack(_ bytes: [UInt8], fileName: String, into folder: URL, file: URL, limits: SourceArchiveLimits) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if isDockerfile(fileName: fileName) {
            try Data(bytes).write(to: folder.appendingPathComponent(dockerfileName), options: .withoutOverwriting)
            return
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        try SourceArchive.extract(file: file.path, into: folder.path, limits: limits)
    }
}
