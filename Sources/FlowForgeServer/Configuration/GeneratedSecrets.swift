import Crypto
import Foundation

/// Secrets generated on first start and kept in the data directory (`secrets/<name>`, mode 0600), so a
/// single machine works without configuration and keeps its tokens valid across restarts.
struct GeneratedSecrets {
    let directory: URL

    func value(named name: String, variable: String) throws -> [UInt8] {
        let folder = directory.appendingPathComponent("secrets", isDirectory: true)
        let file = folder.appendingPathComponent(name)
        if let existing = try? Data(contentsOf: file), existing.count >= 32 {
            return Array(existing)
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
            let hex = Data(bytes.map { String(format: "%02x", $0) }.joined().utf8)
            try hex.write(to: file, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            return Array(hex)
        } catch {
            throw ConfigurationError(variable: variable, message: "is unset and a secret could not be generated in \(folder.path): \(error.localizedDescription); set it or make FLOWFORGE_DATA_DIR writable")
        }
    }
}

extension GeneratedSecrets {
    /// A 32-byte key kept as 64 hex digits in `secrets/<name>` (generated on first start), decoded to its bytes.
    /// A file that is not such a key stops start-up rather than being replaced: values sealed under it would
    /// become unreadable.
    func key(named name: String, variable: String) throws -> [UInt8] {
        let file = directory.appendingPathComponent("secrets", isDirectory: true).appendingPathComponent(name)
        // An existing file is never replaced (as `value` would replace a short one): a new key would leave
        // every value sealed under the old one unreadable.
        let text = FileManager.default.fileExists(atPath: file.path)
            ? Array((try? Data(contentsOf: file)) ?? Data())
            : try value(named: name, variable: variable)
        guard let bytes = AppConfiguration.hexBytes(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
              bytes.count == 32
        else {
            throw ConfigurationError(variable: variable, message: "is unset and \(file.path) does not hold a 32-byte key as 64 hex digits; restore that file or set \(variable)")
        }
        return bytes
    }
}
