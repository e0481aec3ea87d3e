import FlowForgeStore
import Foundation
import Logging
import Crypto
import SQLKit
import Testing
@testable import FlowForgeServer

@Suite("encryption key: configuration and rotation")
struct EncryptionKeyTests {
    static let hexA = String(repeating: "a1", count: 32)
    static let base64B = Data(repeating: 0xB2, count: 32).base64EncodedString()

    @Test func theKeyIsItsOwnAndGeneratedOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory])
        #expect(first.encryptionKey.count == 32)
        #expect(first.encryptionKey != Array(first.jwtSecret.prefix(32)))
        #expect(try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory]).encryptionKey == first.encryptionKey)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/secrets/encryption_key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let given = try AppConfiguration.fromEnvironment([
            "FLOWFORGE_DATA_DIR": directory, "FLOWFORGE_ENCRYPTION_KEY": Self.base64B, "FLOWFORGE_ENCRYPTION_KEY_PREVIOUS": Self.hexA,
        ])
        #expect(given.encryptionKey == Array(repeating: 0xB2, count: 32))
        #expect(given.previousEncryptionKeys == [Array(repeating: 0xA1, count: 32)])

        // A damaged key file stops start-up instead of being replaced by a new key.
        try Data("0123".utf8).write(to: URL(fileURLWithPath: directory + "/secrets/encryption_key"))
        #expect {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory])
        } throws: { error in
            (error as? ConfigurationError)?.variable == "FLOWFORGE_ENCRYPTION_KEY"
        }
        #expect(try String(contentsOfFile: directory + "/secrets/encryption_key", encoding: .utf8) == "0123")
    }

    @Test(arguments: [
        ("FLOWFORGE_ENCRYPTION_KEY", "correct horse battery staple"),
        ("FLOWFORGE_ENCRYPTION_KEY", String(repeating: "a1", count: 16)),
        ("FLOWFORGE_ENCRYPTION_KEY", Data(repeating: 1, count: 31).base64EncodedString()),
        ("FLOWFORGE_ENCRYPTION_KEY_PREVIOUS", "not-a-key"),
    ])
    func aBadKeyStopsStartUpNamingIt(variable: String, value: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try AppConfiguration.fromEnvironment(["FLOWFORGE_DATA_DIR": directory, variable: value])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == variable && error?.message.contains("32 bytes") == true
        }
    }

    /// Rows sealed under an old key (and one from before keys had ids) are re-sealed under the new key, after
    /// which the new key alone opens every one of them.
    @Test func rotationReSealsEveryColumnUnderTheNewKey() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ENCRYPTION_KEY": Self.hexA]) { _, oldConfiguration in
            let logger = Logger(label: "test.rotate")
            let database = try openDatabase(oldConfiguration, logger: logger)
            let oldBox = SecretBox(configuration: oldConfiguration)
            let userID = UUID().uuidString.lowercased()
            let now = Clock.nowMillis()
            let repositoryIDs = ["r1", "r2"]
            do {
                try await database.withConnection { db in
                    try await db.raw("""
                        INSERT INTO users (id, email, password_hash, plan, created_at, updated_at)
                        VALUES (\(bind: userID), 'keys@example.com', 'x', 'free', \(bind: now), \(bind: now))
                        """).run()
                    for id in repositoryIDs {
                        let secret = try oldBox.seal("hook-\(id)", purpose: ConnectedRepository.webhookSecretPurpose(id: id))
                        let token = id == "r1" ? try oldBox.seal("token-\(id)", purpose: ConnectedRepository.accessTokenPurpose(id: id)) : nil
                        try await db.raw("""
                            INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, access_token_encrypted, created_at)
                            VALUES (\(bind: id), \(bind: userID), 'git', \(bind: "team/\(id)"), \(bind: "https://git.example.com/team/\(id).git"), \(bind: secret), \(bind: token), \(bind: now))
                            """).run()
                    }
                }
                // An identity sealed the first way (`v1:`, a key derived from JWT_SECRET).
                let legacyAccess = try Self.legacySeal("oauth-access", purpose: "oauth_identities:github:7:access", jwtSecret: oldConfiguration.jwtSecret)
                try await SQLOAuthIdentityRepository(database: database).save(
                    OAuthIdentityRecord(
                        provider: "github", providerUserID: "7", userID: userID, login: "octo",
                        accessTokenSealed: legacyAccess, refreshTokenSealed: try oldBox.seal("oauth-refresh", purpose: "oauth_identities:github:7:refresh")
                    ),
                    at: now
                )

                var environment = baseTestEnvironment(directory: oldConfiguration.dataDirectory, databaseURL: Self.databaseURL(oldConfiguration))
                environment["FLOWFORGE_ENCRYPTION_KEY"] = Self.base64B
                environment["FLOWFORGE_ENCRYPTION_KEY_PREVIOUS"] = Self.hexA
                environment["JWT_SECRET"] = String(decoding: oldConfiguration.jwtSecret, as: UTF8.self)
                let newConfiguration = try AppConfiguration.fromEnvironment(environment)
                let report = try await KeyRotation(configuration: newConfiguration, database: database, logger: logger).run()
                #expect(report.resealed == 5)
                #expect(report.unreadable.isEmpty)
                let again = try await KeyRotation(configuration: newConfiguration, database: database, logger: logger).run()
                #expect(again.resealed == 0 && again.current == 5)

                let newOnly = SecretBox(key: Array(repeating: 0xB2, count: 32))
                let oldOnly = SecretBox(key: Array(repeating: 0xA1, count: 32))
                let store = SQLSealedColumnRepository(database: database)
                var opened: [String] = []
                for column in SealedColumn.all {
                    for value in try await store.values(of: column) {
                        let purpose = column.purpose(keys: value.keys)
                        #expect(value.sealed.hasPrefix("v2:\(SecretKeyring.keyID(Array(repeating: 0xB2, count: 32))):"))
                        opened.append(try newOnly.open(value.sealed, purpose: purpose))
                        #expect(throws: SecretBoxError.self) { try oldOnly.open(value.sealed, purpose: purpose) }
                    }
                }
                #expect(opened.sorted() == ["hook-r1", "hook-r2", "oauth-access", "oauth-refresh", "token-r1"])
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
    }

    static func legacySeal(_ plaintext: String, purpose: String, jwtSecret: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(Array(plaintext.utf8), using: SecretKeyring.legacyKey(jwtSecret: jwtSecret), authenticating: Array(purpose.utf8))
        return "v1:" + box.combined!.base64EncodedString()
    }

    static func databaseURL(_ configuration: AppConfiguration) -> String {
        switch configuration.database {
        case .sqlite(let path): "sqlite://" + path
        case .postgres(let url): url
        }
    }
}
