import Foundation
import SQLKit

/// A column that holds sealed secrets (see the server's `SecretBox`), and the columns that identify its rows.
/// Every such column of the schema is listed in `SealedColumn.all`, which is what key rotation re-seals: a
/// new sealed column must be added there.
public struct SealedColumn: Sendable, Equatable {
    public let table: String
    public let column: String
    /// The row's identity, in the order its sealing purpose names them.
    public let keyColumns: [String]

    public init(table: String, column: String, keyColumns: [String]) {
        self.table = table
        self.column = column
        self.keyColumns = keyColumns
    }

    public static let repositoryWebhookSecret = SealedColumn(table: "repositories", column: "webhook_secret_encrypted", keyColumns: ["id"])
    public static let repositoryAccessToken = SealedColumn(table: "repositories", column: "access_token_encrypted", keyColumns: ["id"])
    public static let oauthAccessToken = SealedColumn(
        table: "oauth_identities", column: "access_token_encrypted", keyColumns: ["provider", "provider_user_id"]
    )
    public static let oauthRefreshToken = SealedColumn(
        table: "oauth_identities", column: "refresh_token_encrypted", keyColumns: ["provider", "provider_user_id"]
    )

    public static let secretValue = SealedColumn(table: "secrets", column: "value_encrypted", keyColumns: ["id"])

    public static let all: [SealedColumn] = [
        repositoryWebhookSecret, repositoryAccessToken, oauthAccessToken, oauthRefreshToken, secretValue,
    ]
}

/// One sealed value and the identity of its row.
public struct SealedValue: Sendable, Equatable {
    public let keys: [String]
    public let sealed: String
}

/// Reads and replaces sealed values column by column, for key rotation.
public protocol SealedColumnRepository: Sendable {
    /// Every non-null value of `column`, with its row's key columns.
    func values(of column: SealedColumn) async throws -> [SealedValue]
    /// Replaces the value only if it still is `old` (a concurrent write wins); true when replaced.
    /// Safe to call twice: the second call finds `new` and changes nothing.
    func replace(_ column: SealedColumn, keys: [String], old: String, new: String) async throws -> Bool
}

public struct SQLSealedColumnRepository: SealedColumnRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func values(of column: SealedColumn) async throws -> [SealedValue] {
        // Table and column names come from `SealedColumn`'s constants, never from input.
        let keyList = column.keyColumns.joined(separator: ", ")
        return try await database.withConnection { db in
            try await db.raw("""
                SELECT \(unsafeRaw: keyList), \(unsafeRaw: column.column) AS sealed FROM \(unsafeRaw: column.table)
                WHERE \(unsafeRaw: column.column) IS NOT NULL
                """).all().map { row in
                SealedValue(keys: try column.keyColumns.map { try row.string($0) }, sealed: try row.string("sealed"))
            }
        }
    }

    public func replace(_ column: SealedColumn, keys: [String], old: String, new: String) async throws -> Bool {
        precondition(keys.count == column.keyColumns.count, "one value per key column")
        var query = SQLQueryString("UPDATE \(unsafeRaw: column.table) SET \(unsafeRaw: column.column) = \(bind: new) WHERE \(unsafeRaw: column.column) = \(bind: old)")
        for (name, value) in zip(column.keyColumns, keys) {
            query = query + " AND \(unsafeRaw: name) = \(bind: value)"
        }
        let finalQuery = query + " RETURNING \(unsafeRaw: column.keyColumns[0])"
        return try await database.withConnection { db in
            try await db.raw(finalQuery).first() != nil
        }
    }
}
