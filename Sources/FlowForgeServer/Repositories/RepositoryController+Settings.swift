import FlowForgeStore
import Hummingbird

/// The body of `PATCH /api/user/repositories/:id`: the settings to change; absent keys stay as they are.
struct RepositorySettingsRequest: Decodable {
    let autoCancel: Bool?
}

extension RepositoryController {
    /// `PATCH /api/user/repositories/:id` `{auto_cancel}` → 200 with the repository as it is now.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> RepositoryView {
        let userID = try context.requireUser()
        let id = try context.parameters.require("id")
        let body = try await request.decodeJSON(RepositorySettingsRequest.self, context: context)
        guard let autoCancel = body.autoCancel else {
            throw APIError.validation("auto_cancel", "is required: true or false (the only setting that can be changed)")
        }
        guard let record = try await repositories.setAutoCancel(id: id, userID: userID, enabled: autoCancel) else {
            throw APIError.notFound("repository \(id)")
        }
        context.logger.info("repository settings changed", metadata: ["repository_id": "\(id)", "auto_cancel": "\(autoCancel)"])
        return RepositoryView(record, apiBaseURL: apiBaseURL, cloneURL: hosts.cloneURL(for: record))
    }
}
