import Crypto
import FlowForgeStore
import Foundation
import Hummingbird

/// `/api/user/repositories`: connect a forge repository (its webhook secret is shown once), list, show
/// and disconnect. Another account's repository is a 404, never a 403, so ids reveal nothing.
struct RepositoryController {
    let repositories: any ConnectedRepositoryRepository
    let secretBox: SecretBox
    let urlPolicy: RepositoryURLPolicy
    let apiBaseURL: String

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get(":id", use: show)
            .delete(":id", use: delete)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RepositoryView> {
        let userID = try context.requireUser()
        let body = try await request.decodeJSON(RepositoryRequest.self, context: context)
        let provider = try body.validProvider()
        let fullName = ConnectedRepository.normalizedFullName(try body.validFullName(provider: provider), provider: provider)
        let cloneURL = try await checkedCloneURL(body.cloneUrl, provider: provider, fullName: fullName)
        let accessToken = try body.validAccessToken()

        let id = UUID().uuidString.lowercased()
        // Hex keeps the secret easy to paste into forms and shell configuration.
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.hexString
        let record = ConnectedRepository(
            id: id, userID: userID, provider: provider, fullName: fullName, cloneURL: cloneURL,
            webhookSecretSealed: try secretBox.seal(secret, purpose: ConnectedRepository.webhookSecretPurpose(id: id)),
            accessTokenSealed: try accessToken.map { try secretBox.seal($0, purpose: ConnectedRepository.accessTokenPurpose(id: id)) },
            createdAt: Clock.nowMillis()
        )
        do {
            try await repositories.create(record)
        } catch StoreError.conflict {
            throw APIError(.conflict, code: "repository_exists", message: "\(provider) repository \(fullName) is already connected to FlowForge; disconnect it there first, or use the existing connection")
        }
        context.logger.info("repository connected", metadata: ["repository_id": "\(id)", "provider": "\(provider)"])
        return EditedResponse(status: .created, response: RepositoryView(record, apiBaseURL: apiBaseURL, webhookSecret: secret))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> RepositoryListView {
        let records = try await repositories.list(userID: try context.requireUser())
        return RepositoryListView(repositories: records.map { RepositoryView($0, apiBaseURL: apiBaseURL) })
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> RepositoryView {
        let id = try context.parameters.require("id")
        guard let record = try await repositories.find(id: id, userID: try context.requireUser()) else {
            throw APIError.notFound("repository \(id)")
        }
        return RepositoryView(record, apiBaseURL: apiBaseURL)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("id")
        guard try await repositories.delete(id: id, userID: try context.requireUser()) else {
            throw APIError.notFound("repository \(id)")
        }
        context.logger.info("repository disconnected", metadata: ["repository_id": "\(id)"])
        return .noContent
    }

    /// The forge's own clone URL needs no check; one the user gives goes through the same policy as a
    /// pipeline's `repo_url` (no credentials in it, no private addresses on a hosted service).
    private func checkedCloneURL(_ given: String?, provider: String, fullName: String) async throws -> String {
        if let given = given?.trimmingCharacters(in: .whitespacesAndNewlines), !given.isEmpty {
            do {
                return try await urlPolicy.check(given)
            } catch let error as APIError where error.message.hasPrefix("repo_url") {
                throw APIError(error.status, code: error.code, message: "clone_url" + error.message.dropFirst("repo_url".count))
            }
        }
        guard let url = RepositoryRequest.defaultCloneURL(provider: provider, fullName: fullName) else {
            throw APIError.validation("clone_url", "is required for generic git servers: the URL FlowForge clones from, e.g. https://git.example.com/team/app.git")
        }
        return url
    }
}
