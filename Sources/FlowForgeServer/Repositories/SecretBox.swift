import Crypto
import Foundation

/// Seals secrets that must be read back later (webhook secrets, which HMAC checks need in the clear, and
/// forge access tokens), so a copy of the database alone reveals none of them.
///
/// AES-256-GCM under a key derived with HKDF-SHA256 from `JWT_SECRET`: every replica of one installation
/// already shares that secret, so all of them can open what any of them sealed. Changing `JWT_SECRET`
/// makes existing sealed values unreadable; repositories must then be connected again.
///
/// Each value is bound to a `purpose` (e.g. `repositories.webhook_secret:<id>`) as GCM associated data,
/// so a sealed value copied into another row or column fails to open instead of being used there.
struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// Sealed values start with this, so a later key or algorithm can be told apart.
    static let prefix = "v1:"

    init(rootSecret: [UInt8]) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: rootSecret),
            salt: Array("flowforge-secret-box".utf8),
            info: Array("v1 aes-256-gcm".utf8),
            outputByteCount: 32
        )
    }

    /// `v1:` + base64 of nonce, ciphertext and tag. A fresh random nonce each time, so sealing the same
    /// value twice gives different text.
    func seal(_ plaintext: String, purpose: String) throws -> String {
        let box = try AES.GCM.seal(Array(plaintext.utf8), using: key, authenticating: Array(purpose.utf8))
        guard let combined = box.combined else { throw SecretBoxError.unreadable }
        return Self.prefix + combined.base64EncodedString()
    }

    /// The plaintext, or `SecretBoxError.unreadable` when the value was altered, sealed for another
    /// purpose, or sealed under another key.
    func open(_ sealed: String, purpose: String) throws -> String {
        guard sealed.hasPrefix(Self.prefix), let data = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))) else {
            throw SecretBoxError.unreadable
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data)
            let plain = try AES.GCM.open(box, using: key, authenticating: Array(purpose.utf8))
            return String(decoding: plain, as: UTF8.self)
        } catch {
            throw SecretBoxError.unreadable
        }
    }
}

enum SecretBoxError: Error, CustomStringConvertible {
    case unreadable

    var description: String {
        "a stored secret cannot be decrypted: it was sealed under another JWT_SECRET or altered; restore the old JWT_SECRET or connect the repository again"
    }
}
