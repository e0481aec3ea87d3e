import Foundation
import Testing
@testable import FlowForgeServer

/// `FLOWFORGE_SERVICE_READY_TIMEOUT`: seconds, 60 unless set, a bad value stops start-up naming it.
@Suite("service readiness timeout setting")
struct ServiceReadyTimeoutConfigTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-config-\(UUID().uuidString)").path

    @Test func defaultsToSixtySecondsAndTakesAValue() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory]).serviceReadyTimeoutSeconds == 60)
        let set = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory, "FLOWFORGE_SERVICE_READY_TIMEOUT": "5"])
        #expect(set.serviceReadyTimeoutSeconds == 5)
    }

    @Test(arguments: ["0", "-1", "soon", "3601"])
    func aBadValueNamesTheVariable(value: String) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory, "FLOWFORGE_SERVICE_READY_TIMEOUT": value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "FLOWFORGE_SERVICE_READY_TIMEOUT"
        }
    }
}
