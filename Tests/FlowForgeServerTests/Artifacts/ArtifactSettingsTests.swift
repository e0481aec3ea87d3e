import Foundation
import Testing
@testable import FlowForgeServer

/// `DO_SPACES_*`: all or nothing, so a typo never silently keeps artifacts on one machine's disk.
@Suite("artifact store settings")
struct ArtifactSettingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-spaces-\(UUID().uuidString)").path
    static let all = ["DO_SPACES_KEY": "k", "DO_SPACES_SECRET": "s", "DO_SPACES_BUCKET": "b", "DO_SPACES_REGION": "fra1"]

    @Test func withoutSettingsTheDataDirectoryIsUsed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory]).objectStore == nil)
    }

    @Test func allFourNameABucketOnDigitalOceanUnlessAnEndpointIsGiven() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spaces = try AppConfiguration.fromEnvironment(Self.all.merging(["FLOWFORGE_DATA_DIR": directory]) { $1 }).objectStore
        #expect(spaces == ObjectStoreSettings(accessKey: "k", secretKey: "s", bucket: "b", region: "fra1", endpoint: "https://fra1.digitaloceanspaces.com"))
        let minio = try AppConfiguration.fromEnvironment(Self.all.merging(["FLOWFORGE_DATA_DIR": directory, "DO_SPACES_ENDPOINT": "http://127.0.0.1:9000/"]) { $1 }).objectStore
        #expect(minio?.endpoint == "http://127.0.0.1:9000")
        #expect(minio?.hostHeader == "127.0.0.1:9000")
    }

    @Test(arguments: ["DO_SPACES_KEY", "DO_SPACES_SECRET", "DO_SPACES_BUCKET", "DO_SPACES_REGION"])
    func aMissingOneStopsStartUpNamingIt(missing: String) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var environment = Self.all.merging(["FLOWFORGE_DATA_DIR": directory]) { $1 }
        environment[missing] = nil
        let error = #expect(throws: ConfigurationError.self) { try AppConfiguration.fromEnvironment(environment) }
        #expect(error?.variable == missing)
    }

    @Test func anEndpointAloneIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = #expect(throws: ConfigurationError.self) {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory, "DO_SPACES_ENDPOINT": "http://x"])
        }
        #expect(error?.variable == "DO_SPACES_ENDPOINT")
    }
}
