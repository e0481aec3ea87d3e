import Crypto
import Foundation

/// The keys a `SecretBox` seals and opens with: the current `FLOWFORGE_ENCRYPTION_KEY`, any previous keys
/// still needed to open older values, and the legacy key derived from `JWT_SECRET` that only opens `v1:`
/// values (sealed before the encryption key existed). Only the current key ever seals.
struct SecretKeyring: Sendable {
    struct Entry: Sendable {
        /// 8 hex digits of a hash of the key: stable for a key, reveals nothing of it.
        let id: String
        let key: SymmetricKey
    }

    let current: Entry
    let previous: [Entry]
    let legacy: SymmetricKey?

    init(current: [UInt8], previous: [[UInt8]] = [], legacyJWTSecret: [UInt8]? = nil) {
        precondition(current.count == 32, "an encryption key has 32 bytes")
        self.current = Self.entry(current)
        self.previous = previous.map(Self.entry)
        self.legacy = legacyJWTSecret.map(Self.legacyKey)
    }

    /// The keyring of a running installation.
    init(configuration: AppConfiguration) {
        self.init(
            current: configuration.encryptionKey, previous: configuration.previousEncryptionKeys,
            legacyJWTSecret: configuration.jwtSecret
        )
    }

    func key(id: String) -> SymmetricKey? {
        ([current] + previous).first { $0.id == id }?.key
    }

    static func entry(_ bytes: [UInt8]) -> Entry {
        Entry(id: keyID(bytes), key: SymmetricKey(data: bytes))
    }

    static func keyID(_ bytes: [UInt8]) -> String {
        let digest = SHA256.hash(data: Array("flowforge-encryption-key-id:".utf8) + bytes)
        return Data(digest.prefix(4)).hexString
    }

    /// How `v1:` values were sealed: HKDF-SHA256 of `JWT_SECRET`. Kept only to open them until rotated.
    static func legacyKey(jwtSecret: [UInt8]) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: jwtSecret),
            salt: Array("flowforge-secret-box".utf8),
            info: Array("v1 aes-256-gcm".utf8),
            outputByteCount: 32
        )
    }
}

extension SecretBox {
    /// The box of a running installation (see `SecretKeyring.init(configuration:)`).
    init(configuration: AppConfiguration) {
        self.init(keyring: SecretKeyring(configuration: configuration))
    }
}
