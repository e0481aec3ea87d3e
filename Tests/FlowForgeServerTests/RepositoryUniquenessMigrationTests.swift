import FlowForgeStore
import Foundation
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer

/// Migration 0070 (one name per account instead of one per service) on a database that already holds a
/// repository with pipelines, deliveries and queued statuses: SQLite rebuilds the table, which must keep
/// every row that points at it.
@Suite("repository uniqueness migration")
struct RepositoryUniquenessMigrationTests {
    @Test func existingRowsSurviveAndTwoAccountsMayThenConnectOneName() async throws {
        try await withTestDatabase { database, _ in
            try await migrate(database, below: 70)
            try await database.withConnection { db in
                for user in ["u1", "u2"] {
                    try await db.raw("INSERT INTO users (id, email, password_hash, plan, created_at, updated_at) VALUES (\(bind: user), \(bind: user + "@example.com"), 'x', 'free', 0, 0)").run()
                }
                try await db.raw("INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, created_at) VALUES ('r1', 'u1', 'github', 'octo/app', 'x', 's', 0)").run()
                try await db.raw("INSERT INTO pipelines (id, user_id, repository_id, repo_url, branch, event, status, created_at) VALUES ('p1', 'u1', 'r1', 'x', 'main', 'push', 'pending', 0)").run()
                try await db.raw("INSERT INTO webhook_deliveries (provider, delivery_id, repository_id, status_code, response, created_at) VALUES ('github', 'd1', 'r1', 202, '{}', 0)").run()
                try await db.raw("""
                    INSERT INTO status_outbox (id, pipeline_id, repository_id, provider, repository_full_name, sha, context, sequence, state,
                                               description, target_url, status, next_attempt_at, created_at)
                    VALUES ('o1', 'p1', 'r1', 'github', 'octo/app', 's', 'c', 1, 'pending', 'd', 't', 'pending', 0, 0)
                    """).run()
            }
            try await migrate(database, below: Int.max)
            try await database.withConnection { db in
                let pipeline = try await db.raw("SELECT repository_id FROM pipelines WHERE id = 'p1'").first()
                #expect(try pipeline?.decode(column: "repository_id", as: String?.self) == "r1")
                let delivery = try await db.raw("SELECT repository_id FROM webhook_deliveries WHERE delivery_id = 'd1'").first()
                #expect(try delivery?.decode(column: "repository_id", as: String?.self) == "r1")
                #expect(try await db.raw("SELECT id FROM status_outbox WHERE id = 'o1'").first() != nil)
            }
            let repositories = SQLConnectedRepositoryRepository(database: database)
            let second = ConnectedRepository(id: "r2", userID: "u2", provider: "github", fullName: "Octo/App", cloneURL: "x", webhookSecretSealed: "s", accessTokenSealed: nil, createdAt: 1)
            try await repositories.create(second)
            #expect(try await repositories.connections(provider: "github", fullName: "OCTO/app").map(\.id) == ["r1", "r2"])
            var again = second
            again.id = "r3"
            await #expect(throws: StoreError.self) { try await repositories.create(again) }
        }
    }
}
