import Foundation
import Testing
@testable import FlowForgeArchive

/// Archives made by Python's tarfile and zipfile (which write whatever they are told, hostile entries
/// included), unpacked into a fresh folder.
@Suite("source archives")
struct SourceArchiveTests {
    /// Runs a Python snippet with `out` (the archive's path) defined; returns that path.
    static func make(_ name: String, in folder: URL, _ script: String) throws -> String {
        let out = folder.appendingPathComponent(name).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import io, os, tarfile, zipfile\nout = \(String(reflecting: out))\n" + script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 could not write the test archive")
        return out
    }

    static let tarHelpers = """
        def add(t, name, data=b"", kind=tarfile.REGTYPE, mode=0o644, link=""):
            info = tarfile.TarInfo(name); info.type = kind; info.mode = mode; info.linkname = link; info.size = len(data) if kind == tarfile.REGTYPE else 0
            t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

        """

    static func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ff-archive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("workspace"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    static func extract(_ archive: String, _ folder: URL, cap: Int64 = 1 << 20, entries: Int = 1000) throws {
        try SourceArchive.extract(
            file: archive, into: folder.appendingPathComponent("workspace").path,
            limits: SourceArchiveLimits(maxUnpackedBytes: cap, maxEntries: entries))
    }

    @Test func aTarGzUnpacksFilesFoldersModesAndLinksWithin() throws {
        try Self.withFolder { folder in
            let archive = try Self.make("src.tar.gz", in: folder, Self.tarHelpers + """
                with tarfile.open(out, "w:gz") as t:
                    add(t, "./", kind=tarfile.DIRTYPE, mode=0o755)
                    add(t, "./flowforge.yml", b"steps: []\\n")
                    add(t, "./bin/run.sh", b"#!/bin/sh\\necho hi\\n", mode=0o4755)
                    add(t, "./docs/", kind=tarfile.DIRTYPE, mode=0o755)
                    add(t, "./docs/readme", b"read me")
                    add(t, "./bin/readme", kind=tarfile.SYMTYPE, link="../docs/readme")
                """)
            try Self.extract(archive, folder)
            let workspace = folder.appendingPathComponent("workspace")
            #expect(try String(contentsOf: workspace.appendingPathComponent("flowforge.yml"), encoding: .utf8) == "steps: []\n")
            let script = try FileManager.default.attributesOfItem(atPath: workspace.appendingPathComponent("bin/run.sh").path)
            #expect((script[.posixPermissions] as? Int) == 0o755, "executable kept, setuid dropped")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: workspace.appendingPathComponent("bin/readme").path) == "../docs/readme")
            #expect(try String(contentsOf: workspace.appendingPathComponent("bin/readme"), encoding: .utf8) == "read me")
        }
    }

    @Test func aZipUnpacks() throws {
        try Self.withFolder { folder in
            let archive = try Self.make("src.zip", in: folder, """
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("app/flowforge.yml", "steps: []\\n")
                    z.writestr("app/src/main.c", "int main(void) { return 0; }\\n")
                """)
            try Self.extract(archive, folder)
            let text = try String(contentsOf: folder.appendingPathComponent("workspace/app/src/main.c"), encoding: .utf8)
            #expect(text.hasPrefix("int main"))
        }
    }

    /// Each hostile entry is refused with an error naming it, and nothing is written outside the workspace.
    @Test(arguments: [
        ("parent", #"add(t, "../escaped", b"x")"#, "escaped", "\"..\""),
        ("nested parent", #"add(t, "a/../../escaped", b"x")"#, "escaped", "\"..\""),
        ("absolute", #"add(t, "/tmp/ff-archive-absolute-\#(UUID().uuidString)", b"x")"#, nil, "absolute path"),
        ("link out", #"add(t, "out", kind=tarfile.SYMTYPE, link="/etc")"#, nil, "outside the source"),
        ("link up", #"add(t, "up", kind=tarfile.SYMTYPE, link="../..")"#, nil, "outside the source"),
        ("through a link", "add(t, \"docs/\", kind=tarfile.DIRTYPE, mode=0o755)\n    add(t, \"alias\", kind=tarfile.SYMTYPE, link=\"docs\")\n    add(t, \"alias/x\", b\"x\")", nil, "writing through links"),
        ("device", #"add(t, "disk", kind=tarfile.CHRTYPE)"#, nil, "device"),
        ("fifo", #"add(t, "pipe", kind=tarfile.FIFOTYPE)"#, nil, "device, FIFO"),
        ("hard link", "add(t, \"a\", b\"x\")\n    add(t, \"b\", kind=tarfile.LNKTYPE, link=\"a\")", nil, "hard link"),
        ("twice", "add(t, \"a\", b\"x\")\n    add(t, \"a\", b\"y\")", nil, "appears twice"),
    ] as [(String, String, String?, String)])
    func aHostileEntryIsRefused(name: String, entry: String, escapedName: String?, words: String) throws {
        try Self.withFolder { folder in
            let archive = try Self.make("hostile.tar", in: folder, Self.tarHelpers + "with tarfile.open(out, \"w\") as t:\n    " + entry + "\n")
            #expect {
                try Self.extract(archive, folder)
            } throws: { error in
                "\(error)".contains(words)
            }
            if let escapedName {
                #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(escapedName).path), "\(name): written outside")
            }
        }
    }

    @Test func aZipBombStopsAtTheCapCountedAsWritten() throws {
        try Self.withFolder { folder in
            // 64 MiB of zeros compresses to about 64 KiB.
            let archive = try Self.make("bomb.zip", in: folder, """
                with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                    z.writestr("zeros", b"\\0" * (64 << 20))
                """)
            #expect(try FileManager.default.attributesOfItem(atPath: archive)[.size] as? Int ?? 0 < 1 << 20)
            #expect(throws: SourceArchiveError.tooLarge(limit: 1 << 20)) { try Self.extract(archive, folder) }
            let written = try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("workspace/zeros").path)[.size] as? Int ?? 0
            #expect(written <= (1 << 20) + 64 * 1024, "stopped near the cap, not after unpacking it all")
        }
    }

    @Test func tooManyEntriesAndNonArchivesAreRefused() throws {
        try Self.withFolder { folder in
            let many = try Self.make("many.tar", in: folder, Self.tarHelpers + """
                with tarfile.open(out, "w") as t:
                    for i in range(20): add(t, f"f{i}", b"x")
                """)
            #expect(throws: SourceArchiveError.tooManyEntries(limit: 10)) { try Self.extract(many, folder, entries: 10) }
            let text = folder.appendingPathComponent("notes.txt")
            try Data("just some text, not an archive\n".utf8).write(to: text)
            #expect {
                try Self.extract(text.path, folder)
            } throws: { error in
                if case SourceArchiveError.unreadable = error { return true }
                return false
            }
        }
    }
}
