import Foundation
import Testing
@testable import FlowForgeArchive

/// Packing a folder: links stored, never followed; the same tree gives the same bytes; `.dockerignore` honoured.
@Suite("directory archives")
struct DirectoryArchiveTests {
    static func tree(_ files: [String: String], links: [String: String] = [:]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-pack-\(UUID().uuidString)")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for (path, target) in links {
            try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(path).path, withDestinationPath: target)
        }
        return root
    }

    /// Each entry as `name type [link target | content]`, read back by Python's tarfile.
    static func listing(_ file: String) throws -> [String] {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sys, tarfile
            with tarfile.open(sys.argv[1]) as t:
                for m in t.getmembers():
                    kind = "dir" if m.isdir() else "link" if m.issym() else "file"
                    extra = m.linkname if m.issym() else (t.extractfile(m).read().decode() if m.isfile() else "")
                    print(m.name, kind, extra.strip().replace(chr(10), "|"), m.mtime, m.uid)
            """, file]
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output.split(separator: "\n").map(String.init)
    }

    @Test func linksAreStoredNotFollowedAndTheBytesAreStable() throws {
        let root = try Self.tree(["src/main.c": "int main;\n", "README": "read me\n"], links: ["passwd": "/etc/passwd", "src/up": ".."])
        defer { try? FileManager.default.removeItem(at: root) }
        let first = root.path + ".tar", second = root.path + ".2.tar"
        defer { try? FileManager.default.removeItem(atPath: first); try? FileManager.default.removeItem(atPath: second) }
        let summary = try DirectoryArchive.write(root: root.path, to: first)
        #expect(try Self.listing(first) == [
            "README file read me 0 0", "passwd link /etc/passwd 0 0", "src dir  0 0", "src/main.c file int main; 0 0", "src/up link .. 0 0",
        ])
        #expect(summary.entries == 5 && summary.contentBytes == 18)
        // Touching a file changes its time, not the archive: times are not part of it.
        try Data("read me\n".utf8).write(to: root.appendingPathComponent("README"))
        try DirectoryArchive.write(root: root.path, to: second)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) == Data(contentsOf: URL(fileURLWithPath: second)))
        try Data("changed\n".utf8).write(to: root.appendingPathComponent("README"))
        try DirectoryArchive.write(root: root.path, to: second)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first)) != Data(contentsOf: URL(fileURLWithPath: second)))
    }

    @Test func aLinkedRootIsRefused() throws {
        let root = try Self.tree(["a": "a\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let link = root.path + ".link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root.path)
        defer { try? FileManager.default.removeItem(atPath: link) }
        #expect(throws: SourceArchiveError.self) { try DirectoryArchive.write(root: link, to: root.path + ".tar") }
    }

    @Test func dockerIgnoreLeavesOutWhatItSaysAndKeepsExceptionsAndTheDockerfile() throws {
        let root = try Self.tree([
            "Dockerfile": "FROM x\n", ".dockerignore": "# build output\nnode_modules\n*.log\n/secret.env\nlogs\n!logs/keep.txt\nDockerfile\n",
            "node_modules/a/index.js": "x", "app.log": "log", "src/app.log": "nested log", "secret.env": "TOKEN=1",
            "logs/keep.txt": "kept", "logs/drop.txt": "dropped", "src/main.js": "main",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let ignore = DockerIgnore(try String(contentsOf: root.appendingPathComponent(".dockerignore"), encoding: .utf8))
        let file = root.path + ".tar"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try DirectoryArchive.write(root: root.path, to: file) { path, isDirectory in
            ignore.decision(path, isDirectory: isDirectory, keeping: ["Dockerfile", ".dockerignore"])
        }
        let names = try Self.listing(file).map { String($0.split(separator: " ")[0]) }
        // `*.log` matches at the root only, as in Docker; `src/app.log` stays.
        #expect(names == [".dockerignore", "Dockerfile", "logs/keep.txt", "src", "src/app.log", "src/main.js"])
    }
}
