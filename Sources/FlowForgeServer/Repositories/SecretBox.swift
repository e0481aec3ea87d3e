import Crypto
import Foundation

/// Seals secrets that must be read back later (webhook secrets, which HMAC checks need in the clear, and
/// forge access tokens), so a copy of the database alone reveals none of them.
///
/// AES-256-GCM under `FLOWFORGE_ENCRYPTION_KEY`, a key of its own (never derived from `JWT_SECRET`, so a
/// leaked signing secret opens no sealed value and the two rotate apart). A sealed value reads
/// `v2:<key id>:<base64 of nonce, ciphertext and tag>`; the key id names the key that sealed it, so values
/// sealed under a previous key (`FLOWFORGE_ENCRYPTION_KEY_PREVIOUS`) keep opening until
/// `flowforge admin rotate-key` has re-sealed them. Values of the first format (`v1:`, under a key derived
/// from `JWT_SECRET`) open through the keyring's legacy key, for the same migration.
///
/// Each value is bound to a `purpose` (e.g. `repositories.webhook_secret:<id>`) as GCM associated data,
/// so a sealed value copied into another row or column fails to open instead of being used there.
struct SecretBox: Sendable {
    let keyring: SecretKeyring

    static let prefix = "v2:"
    static let legacyPrefix = "v1:"

    init(keyring: SecretKeyring) {
        self.keyring = keyring
    }

    /// A box whose only key is `key` (32 bytes); for tools and tests.
    init(key: [UInt8]) {
        self.init(keyring: SecretKeyring(current: key))
    }

    /// `v2:<kid>:` + base64 of nonce, ciphertext and tag, under the current key. A fresh random nonce each
    /// time, so sealing the same value twice gives different text.
    func seal(_ plaintext: String, purpose: String) throws -> String {
        let box = try AES.GCM.seal(Array(plaintext.utf8), using: keyring.current.key, authenticating: Array(purpose.utf8))
        guard let combined = box.combined else { throw SecretBoxError.unreadable }
        return Self.prefix + keyring.current.id + ":" + combined.base64EncodedString()
    }

    /// The plaintext, or `SecretBoxError.unreadable` when the value was altered, sealed for another
    /// purpose, or sealed under a key this keyring does not hold.
    func open(_ sealed: String, purpose: String) throws -> String {
        let key: SymmetricKey
        let payload: Substring
        if sealed.hasPrefix(Self.prefix) {
            let rest = sealed.dropFirst(Self.prefix.count)
            guard let colon = rest.firstIndex(of: ":"), let found = keyring.key(id: String(rest[..<colon])) else {
                throw SecretBoxError.unreadable
            }
            key = found
            payload = rest[rest.index(after: colon)...]
        } else if sealed.hasPrefix(Self.legacyPrefix), let legacy = keyring.legacy {
            key = legacy
            payload = sealed.dropFirst(Self.legacyPrefix.count)
        } else {
            throw SecretBoxError.unreadable
        }
        guard let data = Data(base64Encoded: String(payload)) else { throw SecretBoxError.unreadable }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: Array(purpose.utf8))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw SecretBoxError.unreadable
        }
    }

    /// Whether `sealed` is already under the current key (rotation skips it).
    func isCurrent(_ sealed: String) -> Bool {
        sealed.hasPrefix(Self.prefix + keyring.current.id + ":")
    }
}

enum SecretBoxError: Error, CustomStringConvertible {
    case unreadable

    var description: String {
        "a stored secret cannot be decrypted: it was sealed under a key that is neither FLOWFORGE_ENCRYPTION_KEY nor in FLOWFORGE_ENCRYPTION_KEY_PREVIOUS, or it was altered; restore the old key or connect the repository again"
    }
}
