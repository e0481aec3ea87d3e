import FlowForgeGit
import Foundation
import Testing

@Suite("The workspaces folder")
struct WorkspaceRootTests {
    @Test("is created with ext4's spread-subdirectories flag, and preparing it again keeps it")
    func spreadsSubdirectories() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("ff-root-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("data/workspaces", isDirectory: true)

        try WorkspaceRoot.prepare(root)
        try WorkspaceRoot.prepare(root)

        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        // Only ext2/3/4 have the flag; where the temporary folder lives elsewhere, creating it is all there is.
        if Self.temporaryFolderIsExt4 {
            #expect(WorkspaceRoot.spreadsSubdirectories(root))
            #expect(!WorkspaceRoot.spreadsSubdirectories(parent))
        }
    }

    /// `stat -f` names ext2, ext3 and ext4 alike "ext2/ext3".
    static var temporaryFolderIsExt4: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/stat")
        process.arguments = ["-f", "-c", "%T", FileManager.default.temporaryDirectory.path]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).hasPrefix("ext")
    }
}
