import Foundation
import Testing
@testable import FlowForgeServer

@Suite("configuration from the environment")
struct ConfigurationTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-config-\(UUID().uuidString)").path

    @Test func defaultsWorkAndSecretsAreGeneratedOnce() throws {
        let first = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(first.database == .sqlite(path: directory + "/flowforge.sqlite"))
        #expect(first.jwtSecret.count >= 32)
        #expect(first.bcryptRounds == 12)
        #expect(first.pipelineTimeoutMillis == 1_800_000)
        let second = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory])
        #expect(second.jwtSecret == first.jwtSecret)
        #expect(second.apiKeySalt == first.apiKeySalt)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/secrets/jwt_secret")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test(arguments: [
        ("JWT_SECRET", "too-short"),
        ("BCRYPT_ROUNDS", "many"),
        ("BCRYPT_ROUNDS", "2"),
        ("DATABASE_URL", "mysql://localhost/db"),
        ("PIPELINE_TIMEOUT", "-5"),
        ("MAX_CONCURRENT_PIPELINES", "0"),
        ("LOG_LEVEL", "loud"),
        ("FRONTEND_URL", "ftp://example.com"),
        ("FLOWFORGE_BACKEND", "kubernetes"),
        ("FLOWFORGE_JOB_LEASE_SECONDS", "0"),
        ("FLOWFORGE_ALLOW_LOCAL_REPOS", "maybe"),
        ("DOCKER_HOST", "tcp://127.0.0.1:2375"),
        ("DEFAULT_DOCKER_IMAGE", "Alpine:latest"),
        ("FLOWFORGE_POD_IMAGE", "busybox:"),
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
