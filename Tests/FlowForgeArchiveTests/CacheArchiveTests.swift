import Foundation
import Testing
@testable import FlowForgeArchive

/// Cache archives are packed from a workspace a step wrote, so they must never read through its links.
@Suite("cache archives")
struct CacheArchiveTests {
    @Test func packsWhatIsAskedNeverThroughALinkAndUnpacksInside() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = folder.appendingPathComponent("workspace")
        let outside = folder.appendingPathComponent("outside")
        let fm = FileManager.default
        try fm.createDirectory(at: workspace.appendingPathComponent(".cache/deps"), withIntermediateDirectories: true)
        try fm.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: outside.appendingPathComponent("key"))
        try Data("dep".utf8).write(to: workspace.appendingPathComponent(".cache/deps/lib.txt"))
        try Data("src".utf8).write(to: workspace.appendingPathComponent("main.c"))
        try fm.createSymbolicLink(atPath: workspace.appendingPathComponent(".cache/inner").path, withDestinationPath: "deps/lib.txt")
        try fm.createSymbolicLink(atPath: workspace.appendingPathComponent(".cache/escape").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: workspace.appendingPathComponent(".cache/up").path, withDestinationPath: "../../outside/key")

        let archive = folder.appendingPathComponent("cache.tar.gz").path
        let summary = try CacheArchive.write(
            root: workspace.path, to: archive, maxBytes: 1 << 20,
            include: { $0 == ".cache" || $0.hasPrefix(".cache/") }, enter: { $0 == ".cache" || $0.hasPrefix(".cache/") })
        #expect(summary.files == 1)
        #expect(summary.contentBytes == 3)

        let restored = folder.appendingPathComponent("restored")
        try fm.createDirectory(at: restored, withIntermediateDirectories: true)
        try SourceArchive.extract(file: archive, into: restored.path, limits: SourceArchiveLimits(maxUnpackedBytes: 1 << 20))
        #expect(try String(contentsOf: restored.appendingPathComponent(".cache/deps/lib.txt"), encoding: .utf8) == "dep")
        #expect(try fm.destinationOfSymbolicLink(atPath: restored.appendingPathComponent(".cache/inner").path) == "deps/lib.txt")
        #expect(!fm.fileExists(atPath: restored.appendingPathComponent(".cache/escape").path), "a link out of the workspace is not packed")
        #expect(!fm.fileExists(atPath: restored.appendingPathComponent(".cache/up").path))
        #expect(!fm.fileExists(atPath: restored.appendingPathComponent("main.c").path), "only the cached paths")
    }

    @Test func aCacheOverItsLimitIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("w/.cache"), withIntermediateDirectories: true)
        try Data(count: 2000).write(to: folder.appendingPathComponent("w/.cache/big"))
        #expect(throws: CacheArchive.TooLarge.self) {
            _ = try CacheArchive.write(
                root: folder.appendingPathComponent("w").path, to: folder.appendingPathComponent("c.tgz").path, maxBytes: 1000,
                include: { _ in true }, enter: { _ in true })
        }
    }

    @Test func theWalkerOpensNoFileThroughALinkedFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-walk-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("w"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("outside"), withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: folder.appendingPathComponent("outside/key"))
        try fm.createSymbolicLink(atPath: folder.appendingPathComponent("w/dist").path, withDestinationPath: folder.appendingPathComponent("outside").path)
        #expect(throws: WalkError.self) { _ = try WorkspaceWalker.openFile("dist/key", root: folder.appendingPathComponent("w").path) }
        var seen: [String] = []
        try WorkspaceWalker.walk(root: folder.appendingPathComponent("w").path, maxEntries: 100, enter: { _ in true }) { seen.append("\($0.path) \($0.kind)") }
        #expect(seen == ["dist link"])
    }
}
