import Foundation
import SQLKit

/// The answers given to webhook deliveries, keyed by (provider, delivery id), so a redelivery of the
/// same event answers like the first and starts nothing.
public protocol WebhookDeliveryRepository: Sendable {
    /// The stored answer to this delivery, or nil when it was never answered.
    func find(provider: String, deliveryID: String) async throws -> WebhookDeliveryRecord?
    /// Stores the answer if this delivery has none yet and returns nil; when another request stored one
    /// first (a concurrent redelivery), stores nothing and returns that earlier answer instead.
    /// The unique key makes this the one place where two racing deliveries are told apart.
    func record(_ delivery: WebhookDeliveryRecord) async throws -> WebhookDeliveryRecord?
    /// Forgets a stored answer, used when the work it promised could not be done, so a redelivery
    /// may try again. Safe to call twice.
    func remove(provider: String, deliveryID: String) async throws
}

public struct SQLWebhookDeliveryRepository: WebhookDeliveryRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func find(provider: String, deliveryID: String) async throws -> WebhookDeliveryRecord? {
        try await database.read { db in
            try await db.raw("""
                SELECT * FROM webhook_deliveries WHERE provider = \(bind: provider) AND delivery_id = \(bind: deliveryID)
                """).first().map(Self.record)
        }
    }

    public func record(_ delivery: WebhookDeliveryRecord) async throws -> WebhookDeliveryRecord? {
        let stored = try await database.withConnection { db in try await Self.insertIfNew(delivery, on: db) }
        return stored ? nil : try await find(provider: delivery.provider, deliveryID: delivery.deliveryID)
    }

    /// Stores the answer unless one is stored for that delivery already; true when this call stored it.
    /// A conflict is not an error, so this may run inside a transaction (on PostgreSQL a failed statement
    /// would abort the whole transaction).
    static func insertIfNew(_ delivery: WebhookDeliveryRecord, on db: any SQLDatabase) async throws -> Bool {
        try await db.raw("""
            INSERT INTO webhook_deliveries (provider, delivery_id, repository_id, status_code, response, created_at)
            VALUES (\(bind: delivery.provider), \(bind: delivery.deliveryID), \(bind: delivery.repositoryID),
                    \(bind: delivery.statusCode), \(bind: delivery.response), \(bind: delivery.createdAt))
            ON CONFLICT (provider, delivery_id) DO NOTHING
            RETURNING provider
            """).first() != nil
    }

    public func remove(provider: String, deliveryID: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                DELETE FROM webhook_deliveries WHERE provider = \(bind: provider) AND delivery_id = \(bind: deliveryID)
                """).run()
        }
    }

    static func record(_ row: any SQLRow) throws -> WebhookDeliveryRecord {
        WebhookDeliveryRecord(
            provider: try row.string("provider"), deliveryID: try row.string("delivery_id"),
            repositoryID: try row.optionalString("repository_id"), statusCode: Int(try row.int64("status_code")),
            response: try row.string("response"), createdAt: try row.int64("created_at")
        )
    }
}

/// GitHub App installations, kept as their `installation` and `installation_repositories` webhooks
/// describe them. Every write is idempotent, so a redelivered or reordered event does no harm.
public protocol GitHubInstallationRepository: Sendable {
    /// Applies one event: `deleted` removes the installation; `suspend` / `unsuspend` set or clear
    /// `suspendedAt`; any other action records it. `added` / `removed` full names update its repositories.
    func apply(id: Int64, account: String, action: String, added: [String], removed: [String], at: Int64) async throws
    func find(id: Int64) async throws -> GitHubInstallation?
    /// The id of an unsuspended installation that reaches `fullName` (matched as `RepositoryName` says)
    /// and is linked to `userID`, or nil. An installation nobody linked, or linked to another account,
    /// serves no one: its tokens are for the accounts proven to own it.
    func installationID(forRepository fullName: String, linkedTo userID: String) async throws -> Int64?
    /// The account the installation is linked to, when an unsuspended installation reaching `fullName` is
    /// linked; nil otherwise. App deliveries start pipelines only there.
    func linkedUser(forRepository fullName: String) async throws -> String?
    /// Links the installation to an account, once the caller has proven that account may use it (GitHub
    /// listed it among the signed-in user's installations). Returns true when it is now linked to `userID`
    /// (safe to call twice); false, changing nothing, when it is already linked to another account: GitHub
    /// lists an organisation's installation for every collaborator of any repository in it, so the first
    /// proven link stands and nobody can take it over by linking again.
    func link(id: Int64, userID: String) async throws -> Bool
}

public struct SQLGitHubInstallationRepository: GitHubInstallationRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func apply(id: Int64, account: String, action: String, added: [String], removed: [String], at: Int64) async throws {
        try await database.transaction { db in
            if action == "deleted" {
                try await db.raw("DELETE FROM github_installations WHERE id = \(bind: id)").run()
                return
            }
            try await db.raw("""
                INSERT INTO github_installations (id, account, created_at, updated_at)
                VALUES (\(bind: id), \(bind: account), \(bind: at), \(bind: at))
                ON CONFLICT (id) DO UPDATE SET account = excluded.account, updated_at = excluded.updated_at
                """).run()
            if action == "suspend" {
                try await db.raw("UPDATE github_installations SET suspended_at = \(bind: at) WHERE id = \(bind: id)").run()
            } else if action == "unsuspend" {
                try await db.raw("UPDATE github_installations SET suspended_at = NULL WHERE id = \(bind: id)").run()
            }
            for name in added {
                try await db.raw("""
                    INSERT INTO github_installation_repositories (installation_id, full_name)
                    VALUES (\(bind: id), \(bind: RepositoryName.key(name, provider: "github"))) ON CONFLICT DO NOTHING
                    """).run()
            }
            for name in removed {
                try await db.raw("""
                    DELETE FROM github_installation_repositories WHERE installation_id = \(bind: id)
                    AND full_name = \(bind: RepositoryName.key(name, provider: "github"))
                    """).run()
            }
        }
    }

    public func find(id: Int64) async throws -> GitHubInstallation? {
        try await database.withConnection { db in
            guard let row = try await db.raw("SELECT * FROM github_installations WHERE id = \(bind: id)").first() else { return nil }
            let names = try await db.raw("""
                SELECT full_name FROM github_installation_repositories WHERE installation_id = \(bind: id) ORDER BY full_name
                """).all().map { try $0.string("full_name") }
            return GitHubInstallation(
                id: try row.int64("id"), account: try row.string("account"), userID: try row.optionalString("user_id"),
                suspendedAt: try row.optionalInt64("suspended_at"), repositories: names
            )
        }
    }

    public func installationID(forRepository fullName: String, linkedTo userID: String) async throws -> Int64? {
        try await database.withConnection { db in
            try await db.raw(RepositoryName.linkedInstallationQuery(fullName: fullName, userID: userID))
                .first().map { try $0.int64("id") }
        }
    }

    public func linkedUser(forRepository fullName: String) async throws -> String? {
        try await database.withConnection { db in
            try await db.raw("""
                SELECT i.user_id AS user_id FROM github_installation_repositories r
                JOIN github_installations i ON i.id = r.installation_id
                WHERE r.full_name = \(bind: RepositoryName.key(fullName, provider: "github"))
                  AND i.suspended_at IS NULL AND i.user_id IS NOT NULL
                ORDER BY i.id LIMIT 1
                """).first().map { try $0.string("user_id") }
        }
    }

    public func link(id: Int64, userID: String) async throws -> Bool {
        let now = Clock.nowMillis()
        // The setup redirect can reach us before the `installation` webhook: then the row starts here and the
        // webhook fills in the account (its upsert leaves user_id alone). The WHERE makes the upsert a no-op
        // (no row returned) when another account holds the link, in one statement, so two racing links
        // cannot both win.
        return try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO github_installations (id, account, user_id, created_at, updated_at)
                VALUES (\(bind: id), '', \(bind: userID), \(bind: now), \(bind: now))
                ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, updated_at = excluded.updated_at
                WHERE github_installations.user_id IS NULL OR github_installations.user_id = excluded.user_id
                RETURNING id
                """).first() != nil
        }
    }
}
