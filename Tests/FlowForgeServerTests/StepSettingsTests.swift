import FlowForgeCore
import Foundation
import Testing
@testable import FlowForgeServer

@Suite("step settings from the environment")
struct StepSettingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-config-\(UUID().uuidString)").path

    @Test func defaultsAndParsedValues() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let defaults = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory])
        #expect(defaults.stepLimits == .default)
        #expect(defaults.checkoutTimeoutSeconds == 600)
        #expect(defaults.allowLocalRegistries == false)
        let set = try AppConfiguration.fromEnvironment([
            "FLOWFORGE_DATA_DIR": directory, "FLOWFORGE_STEP_MEMORY": "512m", "FLOWFORGE_STEP_CPUS": "0.5",
            "FLOWFORGE_STEP_PIDS": "300", "FLOWFORGE_STEP_NOFILE": "2048", "FLOWFORGE_STEP_NPROC": "4096",
            "FLOWFORGE_STEP_LOG_MAX_SIZE": "1g", "FLOWFORGE_STEP_LOG_MAX_FILE": "5", "FLOWFORGE_CHECKOUT_TIMEOUT": "90",
            "FLOWFORGE_ALLOW_LOCAL_REGISTRIES": "true",
        ])
        #expect(set.stepLimits == StepLimits(
            memoryBytes: 512 << 20, nanoCPUs: 500_000_000, pids: 300, openFiles: 2048, processesPerUser: 4096,
            logFileBytes: 1 << 30, logFiles: 5))
        #expect(set.checkoutTimeoutSeconds == 90)
        #expect(set.allowLocalRegistries)
    }

    @Test(arguments: [
        ("FLOWFORGE_STEP_MEMORY", "lots"), ("FLOWFORGE_STEP_MEMORY", "1m"), ("FLOWFORGE_STEP_MEMORY", "-2g"),
        ("FLOWFORGE_STEP_MEMORY", "99999999999t"), ("FLOWFORGE_STEP_CPUS", "0"), ("FLOWFORGE_STEP_CPUS", "two"),
        ("FLOWFORGE_STEP_PIDS", "1"), ("FLOWFORGE_STEP_NOFILE", "10"), ("FLOWFORGE_STEP_NPROC", "x"),
        ("FLOWFORGE_STEP_LOG_MAX_SIZE", "1k"), ("FLOWFORGE_STEP_LOG_MAX_FILE", "0"), ("FLOWFORGE_CHECKOUT_TIMEOUT", "0"),
        ("FLOWFORGE_ALLOW_LOCAL_REGISTRIES", "perhaps"),
    ])
    func badValueNamesTheVariable(variable: String, value: String) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory, variable: value])
        } throws: { error in
            (error as? ConfigurationError)?.variable == variable
        }
    }
}
