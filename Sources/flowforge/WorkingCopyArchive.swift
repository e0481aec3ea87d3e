import FlowForgeArchive
import Foundation

/// `pipeline start --upload`: the working copy as a .tar.gz, what the repository would hold once committed.
///
/// In a git working tree the files are what `git ls-files --cached --others --exclude-standard` lists:
/// tracked files as they are on disk (uncommitted changes included) and untracked ones that `.gitignore`
/// does not exclude. Outside git, everything but `.git`. Links are stored as links, never followed.
enum WorkingCopyArchive {
    struct Packed {
        var file: URL
        var entries: Int
        var bytes: Int64
        /// How the files were chosen, for the line the CLI prints.
        var selection: String
    }

    /// Blocking (runs git, reads the tree): call it off the cooperative threads (`pack(_:)`).
    static func packBlocking(_ directory: URL) throws -> Packed {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw WorkingCopyError("\(directory.path) is not a folder; pass the folder to upload")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-upload-\(UUID().uuidString).tar.gz")
        let summary: DirectoryArchive.Summary
        let selection: String
        if let listed = gitFiles(in: directory) {
            var folders = Set<String>()
            for path in listed {
                var parts = path.split(separator: "/").dropLast()
                while !parts.isEmpty { folders.insert(parts.joined(separator: "/")); parts = parts.dropLast() }
            }
            summary = try DirectoryArchive.write(root: directory.path, to: file.path, compression: .gzip) { path, isDirectory in
                (isDirectory ? folders.contains(path) : listed.contains(path)) ? .include : .exclude
            }
            selection = "git's files (.gitignore honoured)"
        } else {
            summary = try DirectoryArchive.write(root: directory.path, to: file.path, compression: .gzip) { path, _ in
                path == ".git" || path.hasPrefix(".git/") ? .exclude : .include
            }
            selection = "every file but .git (not a git working tree)"
        }
        return Packed(file: file, entries: summary.entries, bytes: summary.contentBytes, selection: selection)
    }

    static func pack(_ directory: URL) async throws -> Packed {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try packBlocking(directory) }) }
        }
    }

    /// The paths git would commit from `directory` (relative to it), or nil when it is not in a git working
    /// tree (or git is missing).
    static func gitFiles(in directory: URL) -> Set<String>? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
    }
}

struct WorkingCopyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
