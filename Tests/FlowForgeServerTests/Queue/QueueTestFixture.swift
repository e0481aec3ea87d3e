import Foundation
import Logging
import SQLKit
@testable import FlowForgeServer
@testable import FlowForgeStore

/// A migrated database (SQLite, or PostgreSQL under `FLOWFORGE_TEST_DATABASE_URL`) with one account, for
/// tests of the queue and the fenced pipeline writes without running pipelines.
struct QueueTestFixture: Sendable {
    let database: Database
    let userID: String
    var queue: SQLJobQueue { SQLJobQueue(database: database) }
    var pipelines: SQLPipelineRepository { SQLPipelineRepository(database: database) }
    var outbox: SQLStatusOutboxRepository { SQLStatusOutboxRepository(database: database) }

    static func with(_ body: @Sendable (QueueTestFixture) async throws -> Void) async throws {
        try await withMigratedDatabase { database in
            let userID = try await insertTestAccount(database)
            try await body(QueueTestFixture(database: database, userID: userID))
        }
    }

    /// Queues a v1 API pipeline (and its job); returns the pipeline.
    @discardableResult
    func queuePipeline(delivery: WebhookDeliveryRecord? = nil, id: String = UUID().uuidString.lowercased()) async throws -> PipelineRecord {
        let pipeline = PipelineRecord(
            id: id, userID: userID, repoURL: "https://git.example/app.git", branch: "main",
            commitSHA: "0123456789abcdef0123456789abcdef01234567", event: "api", commands: ["true"], environment: [:],
            createdAt: Clock.nowMillis())
        try await pipelines.createQueued(pipeline, delivery: delivery, queuedStatus: nil)
        return pipeline
    }

    /// One column of the pipeline's job row.
    func job(_ pipelineID: String) async throws -> (status: String, attempts: Int64, leaseExpiresAt: Int64?) {
        try await database.withConnection { db in
            let row = try await db.raw("SELECT status, attempts, lease_expires_at FROM jobs WHERE pipeline_id = \(bind: pipelineID)").first()!
            return (try row.decode(column: "status", as: String.self), try row.decode(column: "attempts", as: Int64.self),
                    try row.decode(column: "lease_expires_at", as: Int64?.self))
        }
    }

    /// A connected GitHub repository of the account (statuses need one); returns its id.
    func insertRepository() async throws -> String {
        let id = UUID().uuidString.lowercased()
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, created_at)
                VALUES (\(bind: id), \(bind: userID), 'github', 'octo/app', 'https://github.com/octo/app.git', 'unused', 0)
                """).run()
        }
        return id
    }

    func count(_ table: String) async throws -> Int {
        try await database.withConnection { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
        }
    }
}
