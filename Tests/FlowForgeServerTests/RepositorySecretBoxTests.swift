import Crypto
import Foundation
import Testing
@testable import FlowForgeServer

@Suite("SecretBox")
struct RepositorySecretBoxTests {
    static let keyA = Array(repeating: UInt8(0xA1), count: 32)
    static let keyB = Array(repeating: UInt8(0xB2), count: 32)
    static let jwtSecret = Array("a-jwt-secret-of-at-least-32-bytes!!".utf8)
    let box = SecretBox(key: keyA)

    @Test func sealedValuesOpenOnlyForTheirPurposeAndKey() throws {
        let sealed = try box.seal("webhook secret ✓", purpose: "repositories.webhook_secret:1")
        #expect(sealed.hasPrefix("v2:" + SecretKeyring.keyID(Self.keyA) + ":"))
        #expect(!sealed.contains("webhook secret"))
        #expect(try box.open(sealed, purpose: "repositories.webhook_secret:1") == "webhook secret ✓")
        // A fresh nonce each time: the same value never seals to the same text.
        #expect(try box.seal("webhook secret ✓", purpose: "repositories.webhook_secret:1") != sealed)

        #expect(throws: SecretBoxError.self) { try box.open(sealed, purpose: "repositories.webhook_secret:2") }
        #expect(throws: SecretBoxError.self) { try SecretBox(key: Self.keyB).open(sealed, purpose: "repositories.webhook_secret:1") }
        let prefix = "v2:" + SecretKeyring.keyID(Self.keyA) + ":"
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(prefix.count)))!)
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: SecretBoxError.self) { try box.open(prefix + Data(bytes).base64EncodedString(), purpose: "repositories.webhook_secret:1") }
        #expect(throws: SecretBoxError.self) { try box.open("plain text", purpose: "repositories.webhook_secret:1") }
    }

    @Test func aSealedValueDoesNotOpenWithAKeyDerivedFromJWTSecret() throws {
        let box = SecretBox(keyring: SecretKeyring(current: Self.keyA, legacyJWTSecret: Self.jwtSecret))
        let sealed = try box.seal("forge token", purpose: "p")
        let payload = Data(base64Encoded: String(sealed.split(separator: ":")[2]))!
        let derived = SecretKeyring.legacyKey(jwtSecret: Self.jwtSecret)
        #expect(throws: (any Error).self) {
            try AES.GCM.open(try AES.GCM.SealedBox(combined: payload), using: derived, authenticating: Array("p".utf8))
        }
        // Dressed up as a value of the old format, it does not open either.
        #expect(throws: SecretBoxError.self) { try box.open("v1:" + payload.base64EncodedString(), purpose: "p") }
    }

    @Test func valuesUnderPreviousAndLegacyKeysKeepOpening() throws {
        let old = try SecretBox(key: Self.keyA).seal("under the old key", purpose: "p")
        let legacyBox = try AES.GCM.seal(Array("from before keys had ids".utf8), using: SecretKeyring.legacyKey(jwtSecret: Self.jwtSecret), authenticating: Array("p".utf8))
        let legacy = "v1:" + legacyBox.combined!.base64EncodedString()

        let rotated = SecretBox(keyring: SecretKeyring(current: Self.keyB, previous: [Self.keyA], legacyJWTSecret: Self.jwtSecret))
        #expect(try rotated.open(old, purpose: "p") == "under the old key")
        #expect(try rotated.open(legacy, purpose: "p") == "from before keys had ids")
        #expect(try rotated.seal("new", purpose: "p").hasPrefix("v2:" + SecretKeyring.keyID(Self.keyB) + ":"))
        let fresh = try rotated.seal("new", purpose: "p")
        #expect(!rotated.isCurrent(old) && rotated.isCurrent(fresh))
        // Without the previous key, the old value is unreadable (and says which setting to look at).
        #expect(throws: SecretBoxError.self) { try SecretBox(key: Self.keyB).open(old, purpose: "p") }
        #expect(SecretBoxError.unreadable.description.contains("FLOWFORGE_ENCRYPTION_KEY_PREVIOUS"))
    }
}
