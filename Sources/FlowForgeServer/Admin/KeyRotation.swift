import FlowForgeStore
import Foundation
import Logging

/// What `flowforge admin rotate-key` did.
public struct KeyRotationReport: Sendable, Equatable, CustomStringConvertible {
    /// Values re-sealed under the current key.
    public var resealed = 0
    /// Values already under the current key.
    public var current = 0
    /// Values no key of the keyring opens; they are left as they are and need their old key (or a fresh
    /// connection of their repository or forge account).
    public var unreadable: [String] = []
    /// The current key's id, as it appears in sealed values (`v2:<id>:…`).
    public var keyID = ""

    public var description: String {
        var text = "re-sealed \(resealed) value(s) under key \(keyID); \(current) already were"
        if !unreadable.isEmpty {
            text += "; \(unreadable.count) could not be opened with FLOWFORGE_ENCRYPTION_KEY or FLOWFORGE_ENCRYPTION_KEY_PREVIOUS: " + unreadable.joined(separator: ", ")
        }
        return text
    }
}

/// Re-seals every sealed column under the current `FLOWFORGE_ENCRYPTION_KEY`.
///
/// Rotation: set the new key as `FLOWFORGE_ENCRYPTION_KEY` and the old one in `FLOWFORGE_ENCRYPTION_KEY_PREVIOUS`
/// on every replica (values under either key open meanwhile), run this once, then drop the previous key.
/// Each value is replaced only if it is unchanged since it was read, so running beside live servers is safe,
/// and running it twice re-seals nothing the second time.
public struct KeyRotation: Sendable {
    let box: SecretBox
    let store: any SealedColumnRepository
    let logger: Logger

    init(box: SecretBox, store: any SealedColumnRepository, logger: Logger) {
        self.box = box
        self.store = store
        self.logger = logger
    }

    public init(configuration: AppConfiguration, database: Database, logger: Logger) {
        self.init(box: SecretBox(configuration: configuration), store: SQLSealedColumnRepository(database: database), logger: logger)
    }

    public func run() async throws -> KeyRotationReport {
        var report = KeyRotationReport(keyID: box.keyring.current.id)
        for column in SealedColumn.all {
            for value in try await store.values(of: column) {
                if box.isCurrent(value.sealed) {
                    report.current += 1
                    continue
                }
                let purpose = column.purpose(keys: value.keys)
                let row = "\(column.table).\(column.column)[\(value.keys.joined(separator: ","))]"
                let plain: String
                do {
                    plain = try box.open(value.sealed, purpose: purpose)
                } catch {
                    logger.error("sealed value cannot be opened", metadata: ["row": "\(row)"])
                    report.unreadable.append(row)
                    continue
                }
                if try await store.replace(column, keys: value.keys, old: value.sealed, new: try box.seal(plain, purpose: purpose)) {
                    report.resealed += 1
                } else {
                    // Written meanwhile by a server, which seals under the current key.
                    report.current += 1
                }
            }
        }
        logger.info("encryption key rotation finished", metadata: ["key_id": "\(report.keyID)", "resealed": "\(report.resealed)"])
        return report
    }
}

extension SealedColumn {
    /// The `SecretBox` purpose a value of this column was sealed for, from its row's key columns.
    func purpose(keys: [String]) -> String {
        switch self {
        case .repositoryWebhookSecret: ConnectedRepository.webhookSecretPurpose(id: keys[0])
        case .repositoryAccessToken: ConnectedRepository.accessTokenPurpose(id: keys[0])
        case .oauthAccessToken: "oauth_identities:\(keys[0]):\(keys[1]):access"
        case .oauthRefreshToken: "oauth_identities:\(keys[0]):\(keys[1]):refresh"
        case .secretValue: UserSecret.valuePurpose(id: keys[0])
        default: preconditionFailure("no sealing purpose known for \(table).\(column); add it here")
        }
    }
}
