import Foundation
import Testing
@testable import FlowForgeServer

@Suite("SecretBox")
struct RepositorySecretBoxTests {
    let box = SecretBox(rootSecret: Array("a-jwt-secret-of-at-least-32-bytes!!".utf8))

    @Test func sealedValuesOpenOnlyForTheirPurposeAndKey() throws {
        let sealed = try box.seal("webhook secret ✓", purpose: "repositories.webhook_secret:1")
        #expect(sealed.hasPrefix("v1:"))
        #expect(!sealed.contains("webhook secret"))
        #expect(try box.open(sealed, purpose: "repositories.webhook_secret:1") == "webhook secret ✓")
        // A fresh nonce each time: the same value never seals to the same text.
        #expect(try box.seal("webhook secret ✓", purpose: "repositories.webhook_secret:1") != sealed)

        #expect(throws: SecretBoxError.self) { try box.open(sealed, purpose: "repositories.webhook_secret:2") }
        let otherKey = SecretBox(rootSecret: Array("another-jwt-secret-of-32-bytes-or-more".utf8))
        #expect(throws: SecretBoxError.self) { try otherKey.open(sealed, purpose: "repositories.webhook_secret:1") }
        var bytes = Array(Data(base64Encoded: String(sealed.dropFirst(3)))!)
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: SecretBoxError.self) { try box.open("v1:" + Data(bytes).base64EncodedString(), purpose: "repositories.webhook_secret:1") }
        #expect(throws: SecretBoxError.self) { try box.open("plain text", purpose: "repositories.webhook_secret:1") }
    }
}
