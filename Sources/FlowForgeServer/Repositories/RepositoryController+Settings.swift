import FlowForgeStore
import Hummingbird

/// The body of `PATCH /api/user/repositories/:id`: the settings to change; absent keys stay as they are.
struct RepositorySettingsRequest: Decodable {
    let autoCancel: Bool?
    let publicBadge: Bool?
    let defaultBranch: String?

    static let settings = "auto_cancel (true/false), public_badge (true/false), default_branch (a branch name)"

    func validDefaultBranch() throws -> String? {
        guard let defaultBranch else { return nil }
        let branch = defaultBranch.trimmingCharacters(in: .whitespaces)
        guard PipelineRequest.isValidRefName(branch) else {
            throw APIError.validation("default_branch", "\"\(branch)\" is not a valid branch name, e.g. main")
        }
        return branch
    }
}

extension RepositoryController {
    /// `PATCH /api/user/repositories/:id` `{auto_cancel, public_badge, default_branch}` (any of them) → 200 with
    /// the repository as it is now.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> RepositoryView {
        let userID = try context.requireUser()
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(RepositorySettingsRequest.self, context: context)
        return try await updateSettings(body, id: id, userID: userID, context: context)
    }

    /// Applies `body` to the account's repository `id`: the API's PATCH and the dashboard's forms both end here.
    func updateSettings(_ body: RepositorySettingsRequest, id: String, userID: String, context: AppRequestContext) async throws -> RepositoryView {
        guard body.autoCancel != nil || body.publicBadge != nil || body.defaultBranch != nil else {
            throw APIError.validation("body", "send at least one setting to change: \(RepositorySettingsRequest.settings)")
        }
        let defaultBranch = try body.validDefaultBranch()
        if let autoCancel = body.autoCancel {
            guard try await repositories.setAutoCancel(id: id, userID: userID, enabled: autoCancel) != nil else {
                throw APIError.notFound("repository \(id)")
            }
        }
        if body.publicBadge != nil || defaultBranch != nil {
            guard try await badges.setBadgeSettings(id: id, userID: userID, publicBadge: body.publicBadge, defaultBranch: defaultBranch) else {
                throw APIError.notFound("repository \(id)")
            }
        }
        guard let record = try await repositories.find(id: id, userID: userID) else { throw APIError.notFound("repository \(id)") }
        context.logger.info("repository settings changed", metadata: [
            "repository_id": "\(id)", "auto_cancel": "\(record.autoCancel)", "public_badge": "\(record.publicBadge)",
        ])
        return RepositoryView(record, apiBaseURL: apiBaseURL, cloneURL: hosts.cloneURL(for: record))
    }
}
