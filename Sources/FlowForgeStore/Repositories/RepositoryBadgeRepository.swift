import Foundation
import SQLKit

/// What a status badge shows: the branch it is for, and that branch's newest pipeline's status (nil when the
/// branch has none yet).
public struct BadgeState: Sendable, Equatable {
    public var branch: String
    public var status: PipelineStatus?

    public init(branch: String, status: PipelineStatus?) {
        self.branch = branch
        self.status = status
    }
}

/// A repository's badge settings and the state a public badge shows.
public protocol RepositoryBadgeRepository: Sendable {
    /// Changes the account's repository: `publicBadge` and `defaultBranch` when not nil, the rest as it is.
    /// False when the repository does not exist or belongs to someone else. Safe to call twice.
    func setBadgeSettings(id: String, userID: String, publicBadge: Bool?, defaultBranch: String?) async throws -> Bool
    /// Records the default branch a forge reported for the repository (a push's payload names it), unless it
    /// is already that. Any account's repository: the caller has verified the delivery's signature.
    func recordDefaultBranch(id: String, branch: String) async throws
    /// The badge of repository `id` on `branch` (its default branch when nil, `main` when none is known):
    /// the newest pipeline there that is not a pull request's and was not skipped. Nil when the repository
    /// does not exist or its badge is not public, so the caller cannot tell those apart, nor let anyone else.
    func badge(repositoryID id: String, branch: String?) async throws -> BadgeState?
}

public struct SQLRepositoryBadgeRepository: RepositoryBadgeRepository {
    let database: Database

    /// The branch of a badge request that names none, for a repository whose default branch is not known.
    public static let fallbackBranch = "main"

    public init(database: Database) { self.database = database }

    public func setBadgeSettings(id: String, userID: String, publicBadge: Bool?, defaultBranch: String?) async throws -> Bool {
        try await database.withConnection { db in
            guard try await db.raw("SELECT id FROM repositories WHERE id = \(bind: id) AND user_id = \(bind: userID)").first() != nil else {
                return false
            }
            if let publicBadge {
                try await db.raw("""
                    UPDATE repositories SET public_badge = \(bind: publicBadge ? 1 : 0) WHERE id = \(bind: id) AND user_id = \(bind: userID)
                    """).run()
            }
            if let defaultBranch {
                try await db.raw("""
                    UPDATE repositories SET default_branch = \(bind: defaultBranch) WHERE id = \(bind: id) AND user_id = \(bind: userID)
                    """).run()
            }
            return true
        }
    }

    public func recordDefaultBranch(id: String, branch: String) async throws {
        try await database.withConnection { db in
            try await db.raw("""
                UPDATE repositories SET default_branch = \(bind: branch)
                WHERE id = \(bind: id) AND (default_branch IS NULL OR default_branch <> \(bind: branch))
                """).run()
        }
    }

    public func badge(repositoryID id: String, branch: String?) async throws -> BadgeState? {
        try await database.withConnection { db in
            guard let repository = try await db.raw("""
                SELECT default_branch FROM repositories WHERE id = \(bind: id) AND public_badge = 1
                """).first() else { return nil }
            let known = try repository.optionalString("default_branch")
            let branch = branch ?? known ?? Self.fallbackBranch
            let row = try await db.raw("""
                SELECT status FROM pipelines
                WHERE repository_id = \(bind: id) AND branch = \(bind: branch) AND event <> 'pull_request' AND status <> 'skipped'
                ORDER BY created_at DESC, id DESC LIMIT 1
                """).first()
            return BadgeState(branch: branch, status: try row.flatMap { PipelineStatus(rawValue: try $0.string("status")) })
        }
    }
}
