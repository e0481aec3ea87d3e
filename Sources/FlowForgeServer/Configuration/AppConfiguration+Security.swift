import Foundation

extension AppConfiguration {
    /// The encryption keys, the webhook rate limit and the HTTP connection limits.
    mutating func readSecuritySettings(_ env: EnvironmentReader, secrets: GeneratedSecrets) throws {
        if let text = env.string("FLOWFORGE_ENCRYPTION_KEY") {
            encryptionKey = try Self.encryptionKey(text, variable: "FLOWFORGE_ENCRYPTION_KEY")
        } else {
            encryptionKey = try secrets.key(named: "encryption_key", variable: "FLOWFORGE_ENCRYPTION_KEY")
        }
        previousEncryptionKeys = try (env.string("FLOWFORGE_ENCRYPTION_KEY_PREVIOUS") ?? "")
            .split(separator: ",")
            .map { try Self.encryptionKey(String($0).trimmingCharacters(in: .whitespaces), variable: "FLOWFORGE_ENCRYPTION_KEY_PREVIOUS") }
        if previousEncryptionKeys.contains(encryptionKey) {
            throw ConfigurationError(variable: "FLOWFORGE_ENCRYPTION_KEY_PREVIOUS", message: "lists the current FLOWFORGE_ENCRYPTION_KEY; list only keys that were replaced")
        }
        webhookRateLimitMaxRequests = try env.int("FLOWFORGE_WEBHOOK_RATE_LIMIT_MAX_REQUESTS", default: 10_000, range: 1...10_000_000)
        httpIdleTimeoutMillis = try env.int("FLOWFORGE_HTTP_IDLE_TIMEOUT", default: 60_000, range: 100...86_400_000)
        httpHeaderTimeoutMillis = try env.int("FLOWFORGE_HTTP_HEADER_TIMEOUT", default: 10_000, range: 100...3_600_000)
        httpMaxConnections = try env.int("FLOWFORGE_HTTP_MAX_CONNECTIONS", default: 10_000, range: 1...1_000_000)
        httpMaxConnectionsPerAddress = try env.int("FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS", default: 256, range: 1...1_000_000)
        httpBodyTimeoutMillis = try env.int("FLOWFORGE_HTTP_BODY_TIMEOUT", default: 60_000, range: 100...86_400_000)
    }

    /// 32 bytes written as 64 hex digits or as base64 (standard or URL-safe, padded or not).
    static func encryptionKey(_ text: String, variable: String) throws -> [UInt8] {
        if text.count == 64, let bytes = Self.hexBytes(text) { return bytes }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        if let data = Data(base64Encoded: base64), data.count == 32 { return Array(data) }
        throw ConfigurationError(
            variable: variable,
            message: "must be 32 bytes written as 64 hex digits or as base64 (generate one with `openssl rand -hex 32`); a key cannot be derived from a passphrase"
        )
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            guard let byte = UInt8(text[index..<next], radix: 16), text.distance(from: index, to: next) == 2 else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
