import FlowForgeTestSupport
import Foundation
import Testing
@testable import FlowForgeServer

/// `flowforge --version` and what `serve --help` tells a newcomer.
@Suite("command line help")
struct CommandLineHelpTests {
    @Test func versionIsPrinted() async throws {
        let run = try await StartupRun.run(["--version"], environment: [:])
        #expect(run.status == 0)
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == FlowForgeVersion.current)
    }

    @Test func serveHelpNamesTheSettingsThatMatter() async throws {
        let run = try await StartupRun.run(["serve", "--help"], environment: [:])
        #expect(run.status == 0)
        for name in ["DATABASE_URL", "FLOWFORGE_DATA_DIR", "DOCKER_HOST", "DEFAULT_DOCKER_IMAGE", "API_BASE_URL", ".env.example", ".env.local", "--port", "--hostname"] {
            #expect(run.output.contains(name), "serve --help does not mention \(name):\n\(run.output)")
        }
    }
}
