import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerPodImageTests {
    /// The daemon's architecture and the built-in pod image's reference for it.
    static func builtInReference() throws -> String {
        let arch: String
        switch ProcessInfo.processInfo.machineHardwareName {
        case "x86_64": arch = "amd64"
        case "aarch64", "arm64": arch = "arm64"
        default: throw DockerUnavailable()
        }
        return DockerPodImage.reference(architecture: arch, program: try #require(DockerPodImage.program(forArchitecture: arch)))
    }

    /// Without `FLOWFORGE_POD_IMAGE`, the pod's image is imported from FlowForge's own program when missing
    /// (no registry involved), the pod stays up while steps join it, and the image is kept for the next run.
    @Test func builtInPodImageIsImportedWhenMissingAndHoldsThePod() async throws {
        let reference = try Self.builtInReference()
        // Removed first so that the import itself is exercised; refused (409) while another run's pod uses
        // it, in which case the run below still proves the image works.
        _ = DockerTestPrerequisites.httpStatus(of: "DELETE", "/images/\(reference)")
        let fixture = try DockerRunFixture { logger in
            DockerBackend(host: DockerTestPrerequisites.host, network: "none", logger: logger)
        }
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("first", ["sleep 1", "echo one"]),
                DockerRunFixture.step("second", ["echo two"]),
            ], chained: false), observer: observer)  // side by side: they get a pod (a chain on `none` gets none)
        #expect(outcome == .success, "\(outcome)")
        #expect(DockerTestPrerequisites.httpStatus(of: "GET", "/images/\(reference)/json") == 200)
        fixture.expectNothingLeft()
    }

    @Test func programsAreExecutablesOfTheirMachine() throws {
        let amd64 = try #require(DockerPodImage.program(forArchitecture: "amd64"))
        #expect(Array(amd64.prefix(4)) == [0x7F, 0x45, 0x4C, 0x46])
        #expect(amd64[18] == 0x3E)
        let arm64 = try #require(DockerPodImage.program(forArchitecture: "arm64"))
        #expect(arm64[18] == 0xB7)
        #expect(DockerPodImage.program(forArchitecture: "s390x") == nil)
        // A tar of whole 512-byte blocks: a header, the program's block, two empty end blocks.
        #expect(DockerPodImage.archive(program: amd64).count == 512 * 4)
    }
}

extension ProcessInfo {
    /// `uname -m`.
    var machineHardwareName: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
