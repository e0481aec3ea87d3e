import Foundation
import SQLKit

/// Where a row of the status outbox is in its life.
public enum OutboxDeliveryStatus: String, Sendable, Equatable {
    /// Waiting for `nextAttemptAt`.
    case pending
    /// Claimed by a sender under a lease.
    case sending
    case delivered
    /// A newer status of the same commit and context was there before this one went out; it never will.
    case superseded
    /// Given up: the forge refused it for good, or it kept failing for too long.
    case failed
}

/// A commit status to post, as it enters the outbox.
public struct NewOutboxStatus: Sendable, Equatable {
    public var pipelineID: String
    public var repositoryID: String
    public var provider: String
    public var repositoryFullName: String
    public var sha: String
    public var context: String
    /// Orders the statuses of one (repository, sha, context): the higher one is newer and wins.
    public var sequence: Int64
    /// A `CommitStatusState` raw value (`pending`, `running`, `success`, …).
    public var state: String
    public var description: String
    public var targetURL: String

    public init(
        pipelineID: String, repositoryID: String, provider: String, repositoryFullName: String, sha: String,
        context: String, sequence: Int64, state: String, description: String, targetURL: String
    ) {
        self.pipelineID = pipelineID
        self.repositoryID = repositoryID
        self.provider = provider
        self.repositoryFullName = repositoryFullName
        self.sha = sha
        self.context = context
        self.sequence = sequence
        self.state = state
        self.description = description
        self.targetURL = targetURL
    }
}

/// A row of the outbox as stored.
public struct OutboxStatus: Sendable, Equatable {
    public var id: String
    public var status: NewOutboxStatus
    public var delivery: OutboxDeliveryStatus
    /// Sends tried so far, counting the one in flight after a claim.
    public var attempts: Int
    public var nextAttemptAt: Int64
    public var lastError: String?
    public var createdAt: Int64
    public var deliveredAt: Int64?
}

/// What a status needs from its connected repository at send time.
public struct StatusRepositoryTarget: Sendable, Equatable {
    public var id: String
    public var provider: String
    public var fullName: String
    /// The forge token as stored (encrypted); nil when the repository has none.
    public var accessTokenEncrypted: String?
    /// For GitHub: an active App installation that reaches this repository and is linked to the
    /// repository's account, preferred over the token.
    public var gitHubInstallationID: Int64?
}

/// The durable outbox of commit statuses. Rows are claimed under a lease like jobs, so a status survives
/// restarts and a dead sender's claim is taken over once its lease expires.
///
/// Ordering: of the rows sharing (repository, sha, context), only the one with the highest `sequence` is
/// ever claimed, and never while another row of that key is being sent; claiming it marks the older
/// unsent ones `superseded`. So a forge never receives `pending` after the final status.
public protocol StatusOutboxRepository: Sendable {
    /// Adds a row, due at once. Returns its id.
    @discardableResult
    func enqueue(_ status: NewOutboxStatus, now: Int64) async throws -> String
    /// Claims one due row for `owner` until `now + lease`, or nil when none is due.
    /// Two senders never claim the same row (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one writer).
    func claim(owner: String, now: Int64, lease: Int64) async throws -> OutboxStatus?
    /// Marks a claimed row delivered. False when `owner` no longer held it. Safe to call twice.
    @discardableResult
    func markDelivered(id: String, owner: String, at: Int64) async throws -> Bool
    /// Puts a claimed row back to wait until `nextAttemptAt`, recording why it failed.
    @discardableResult
    func reschedule(id: String, owner: String, nextAttemptAt: Int64, error: String) async throws -> Bool
    /// Gives up on a claimed row, recording why.
    @discardableResult
    func markFailed(id: String, owner: String, error: String) async throws -> Bool
    /// A pipeline's rows, oldest first (for the API and tests).
    func rows(pipelineID: String) async throws -> [OutboxStatus]
    /// The connected repository a status goes to; nil when it was deleted.
    func target(repositoryID: String) async throws -> StatusRepositoryTarget?
}

public struct SQLStatusOutboxRepository: StatusOutboxRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    @discardableResult
    public func enqueue(_ status: NewOutboxStatus, now: Int64) async throws -> String {
        let id = UUID().uuidString.lowercased()
        try await database.withConnection { db in try await Self.insert(status, id: id, now: now, on: db) }
        return id
    }

    /// `enqueue` on a connection the caller holds, so a status can commit with the state it reports.
    static func insert(_ status: NewOutboxStatus, id: String, now: Int64, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO status_outbox (id, pipeline_id, repository_id, provider, repository_full_name, sha, context,
                sequence, state, description, target_url, status, attempts, next_attempt_at, created_at)
            VALUES (\(bind: id), \(bind: status.pipelineID), \(bind: status.repositoryID), \(bind: status.provider),
                \(bind: status.repositoryFullName), \(bind: status.sha), \(bind: status.context), \(bind: status.sequence),
                \(bind: status.state), \(bind: status.description), \(bind: status.targetURL), 'pending', 0, \(bind: now), \(bind: now))
            """).run()
    }

    public func claim(owner: String, now: Int64, lease: Int64) async throws -> OutboxStatus? {
        let lock = database.dialect == .postgres ? " FOR UPDATE OF o SKIP LOCKED" : ""
        let sameKey = "x.repository_id = o.repository_id AND x.sha = o.sha AND x.context = o.context"
        let update: SQLQueryString = """
            UPDATE status_outbox SET status = 'sending', lease_owner = \(bind: owner), lease_expires_at = \(bind: now + lease),
                attempts = attempts + 1
            WHERE id = (
                SELECT o.id FROM status_outbox o
                WHERE ((o.status = 'pending' AND o.next_attempt_at <= \(bind: now))
                       OR (o.status = 'sending' AND o.lease_expires_at < \(bind: now)))
                  AND NOT EXISTS (SELECT 1 FROM status_outbox x WHERE \(unsafeRaw: sameKey) AND x.sequence > o.sequence)
                  AND NOT EXISTS (SELECT 1 FROM status_outbox x WHERE \(unsafeRaw: sameKey) AND x.id <> o.id
                                  AND x.status = 'sending' AND x.lease_expires_at >= \(bind: now))
                ORDER BY o.next_attempt_at, o.created_at LIMIT 1\(unsafeRaw: lock)
            )
            RETURNING *
            """
        return try await database.transaction { db in
            guard let row = try await db.raw(update).first() else { return nil }
            let claimed = try Self.decode(row)
            try await db.raw("""
                UPDATE status_outbox SET status = 'superseded', lease_owner = NULL, lease_expires_at = NULL
                WHERE repository_id = \(bind: claimed.status.repositoryID) AND sha = \(bind: claimed.status.sha)
                  AND context = \(bind: claimed.status.context) AND sequence < \(bind: claimed.status.sequence)
                  AND status IN ('pending', 'sending')
                """).run()
            return claimed
        }
    }

    @discardableResult
    public func markDelivered(id: String, owner: String, at: Int64) async throws -> Bool {
        try await finishClaim(id: id, owner: owner, set: "status = 'delivered', last_error = NULL, delivered_at = \(bind: at)")
    }

    @discardableResult
    public func reschedule(id: String, owner: String, nextAttemptAt: Int64, error: String) async throws -> Bool {
        try await finishClaim(id: id, owner: owner, set: "status = 'pending', next_attempt_at = \(bind: nextAttemptAt), last_error = \(bind: error)")
    }

    @discardableResult
    public func markFailed(id: String, owner: String, error: String) async throws -> Bool {
        try await finishClaim(id: id, owner: owner, set: "status = 'failed', last_error = \(bind: error)")
    }

    /// Applies `set` to a row `owner` still holds, releasing the lease.
    private func finishClaim(id: String, owner: String, set: SQLQueryString) async throws -> Bool {
        let query: SQLQueryString = """
            UPDATE status_outbox SET \(set), lease_owner = NULL, lease_expires_at = NULL
            WHERE id = \(bind: id) AND lease_owner = \(bind: owner) AND status = 'sending' RETURNING id
            """
        return try await database.withConnection { db in try await db.raw(query).first() != nil }
    }

    public func rows(pipelineID: String) async throws -> [OutboxStatus] {
        try await database.withConnection { db in
            try await db.raw("SELECT * FROM status_outbox WHERE pipeline_id = \(bind: pipelineID) ORDER BY sequence, created_at")
                .all().map(Self.decode)
        }
    }

    public func target(repositoryID: String) async throws -> StatusRepositoryTarget? {
        try await database.withConnection { db in
            guard let row = try await db.raw("""
                SELECT id, user_id, provider, full_name, access_token_encrypted FROM repositories WHERE id = \(bind: repositoryID)
                """).first() else { return nil }
            let provider = try row.string("provider"), fullName = try row.string("full_name")
            var installation: Int64?
            if provider == "github" {
                // Only an installation linked to the repository's own account: another account's App
                // token never posts for it.
                installation = try await db.raw(RepositoryName.linkedInstallationQuery(
                    fullName: fullName, userID: try row.string("user_id")
                )).first().map { try $0.int64("id") }
            }
            return StatusRepositoryTarget(
                id: try row.string("id"), provider: provider, fullName: fullName,
                accessTokenEncrypted: try row.optionalString("access_token_encrypted"), gitHubInstallationID: installation
            )
        }
    }

    static func decode(_ row: any SQLRow) throws -> OutboxStatus {
        OutboxStatus(
            id: try row.string("id"),
            status: NewOutboxStatus(
                pipelineID: try row.string("pipeline_id"), repositoryID: try row.string("repository_id"),
                provider: try row.string("provider"), repositoryFullName: try row.string("repository_full_name"),
                sha: try row.string("sha"), context: try row.string("context"), sequence: try row.int64("sequence"),
                state: try row.string("state"), description: try row.string("description"), targetURL: try row.string("target_url")
            ),
            delivery: OutboxDeliveryStatus(rawValue: try row.string("status")) ?? .failed,
            attempts: Int(try row.int64("attempts")),
            nextAttemptAt: try row.int64("next_attempt_at"),
            lastError: try row.optionalString("last_error"),
            createdAt: try row.int64("created_at"),
            deliveredAt: try row.optionalInt64("delivered_at")
        )
    }
}
