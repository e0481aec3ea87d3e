import Crypto
import FlowForgeArchive
import FlowForgeCore
import Foundation

/// The blocking half of collecting artifacts: finding the files a step's patterns match, and copying each
/// into a staging file of the server's own while hashing it. Runs on the thread pool.
enum ArtifactFiles {
    struct Staged: Sendable {
        var name: String
        var size: Int64
        var sha256: String
        var file: URL
    }

    /// Most files one step keeps; more is a mistake in the patterns (or a step trying to fill the store).
    static let maxFiles = 1_000
    /// Most workspace entries looked at to find them.
    static let maxEntries = 200_000

    /// The regular files below `root` that `patterns` take, and the links they would have taken (never
    /// followed, reported so the log can say why a file is missing). FlowForge's `.git` is not looked into.
    static func matches(_ patterns: [String], root: String) throws -> (files: [WorkspaceWalker.Entry], links: [String]) {
        var files: [WorkspaceWalker.Entry] = []
        var links: [String] = []
        let wantsGit = patterns.contains { $0.hasPrefix(".git") }
        try WorkspaceWalker.walk(root: root, maxEntries: maxEntries, enter: { folder in
            (wantsGit || folder != ".git") && WorkspacePattern.mayMatchBelow(patterns, folder: folder)
        }) { entry in
            guard WorkspacePattern.matches(patterns, entry.path) else { return }
            switch entry.kind {
            case .file: files.append(entry)
            case .link: links.append(entry.path)
            case .folder: break
            }
        }
        return (files, links)
    }

    /// Copies the file at `name` below `root` to `destination`, through no link, hashing as it goes. Stops
    /// with `TooLarge` once more than `maxBytes` were read (the file may have grown since it was listed).
    static func stage(_ name: String, root: String, to destination: URL, maxBytes: Int64) throws -> Staged {
        let source = try WorkspaceWalker.openFile(name, root: root)
        defer { close(source) }
        let target = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard target >= 0 else { throw ArtifactStoreError(description: "cannot create a staging file (errno \(errno))") }
        defer { close(target) }
        var hasher = SHA256()
        var size: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw WalkError(path: name, errno: errno) }
            if count == 0 { break }
            size += Int64(count)
            if size > maxBytes { throw TooLarge() }
            hasher.update(data: buffer[..<count])
            var offset = 0
            while offset < count {
                let done = buffer.withUnsafeBytes { write(target, $0.baseAddress! + offset, count - offset) }
                guard done > 0 else { throw ArtifactStoreError(description: "cannot write a staging file (errno \(errno))") }
                offset += done
            }
        }
        return Staged(name: name, size: size, sha256: Data(hasher.finalize()).hexString, file: destination)
    }

    struct TooLarge: Error {}
}
