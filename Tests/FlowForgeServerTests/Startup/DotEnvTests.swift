import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// `.env` and `.env.local` of the working directory, beneath the real environment.
@Suite("dotenv files")
struct DotEnvTests {
    @Test func parsesTheCommonFormat() throws {
        let values = try DotEnvFile.parse("""
            # a comment

            PLAIN=value
            export EXPORTED=yes
            SPACED = around  # trailing comment
            DOUBLE="two words # not a comment"
            ESCAPES="a\\nb \\"q\\""
            HASH=abc#def
            EMPTY=
            URL=postgres://u:p@127.0.0.1:5432/db?sslmode=disable
            """, file: ".env")
        #expect(values["PLAIN"] == "value")
        #expect(values["EXPORTED"] == "yes")
        #expect(values["SPACED"] == "around")
        #expect(values["DOUBLE"] == "two words # not a comment")
        #expect(values["ESCAPES"] == "a\nb \"q\"")
        #expect(values["HASH"] == "abc#def")
        #expect(values["EMPTY"] == "")
        #expect(values["URL"] == "postgres://u:p@127.0.0.1:5432/db?sslmode=disable")
        #expect(throws: ConfigurationError.self) { try DotEnvFile.parse("SINGLE='it''s'", file: ".env") }
    }

    @Test(arguments: [
        ("A=1\nnot a setting\n", ".env line 2: expected KEY=value"),
        ("A=1\n\n1BAD=x\n", ".env line 3: \"1BAD\" is not a variable name"),
        ("QUOTED=\"open\n", ".env line 1: the value has no closing \""),
        ("Q='a' b\n", ".env line 1: unexpected text after the closing quote"),
    ])
    func malformedLineNamesFileAndLine(_ text: String, _ expected: String) {
        do {
            _ = try DotEnvFile.parse(text, file: ".env")
            Issue.record("\(text) parsed")
        } catch {
            #expect("\(error)".hasPrefix(expected), "\(error)")
        }
    }

    @Test func localWinsOverDotEnvAndTheEnvironmentWinsOverBoth() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-dotenv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "A=env\nB=env\nC=env\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try "B=local\nC=local\n".write(to: directory.appendingPathComponent(".env.local"), atomically: true, encoding: .utf8)
        let merged = try DotEnvFile.merged(into: ["C": "real"], directory: directory)
        #expect(merged["A"] == "env")
        #expect(merged["B"] == "local")
        #expect(merged["C"] == "real")
        #expect(try DotEnvFile.merged(into: ["X": "1"], directory: directory.appendingPathComponent("none")) == ["X": "1"])
    }

    /// The binary reads them from its working directory: `.env.local` picks the data directory, and a bad
    /// value in `.env` is overridden by the real environment.
    @Test func theBinaryReadsThemFromItsWorkingDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-dotenv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "FLOWFORGE_DATA_DIR=from-env\nBCRYPT_ROUNDS=99\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        try "FLOWFORGE_DATA_DIR=\"from-local\"\n".write(to: directory.appendingPathComponent(".env.local"), atomically: true, encoding: .utf8)
        let run = try await StartupRun.run(["migrate"], environment: ["BCRYPT_ROUNDS": "4"], directory: directory)
        #expect(run.status == 0, "\(run.output)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("from-local/flowforge.sqlite").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("from-env").path))

        try "LOG_LEVEL=info\nthis is not a setting\n".write(to: directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let bad = try await StartupRun.run(["migrate"], environment: [:], directory: directory)
        bad.expectCleanFailure("configuration error: .env line 2: expected KEY=value, got \"this is not a setting\"")
    }
}
