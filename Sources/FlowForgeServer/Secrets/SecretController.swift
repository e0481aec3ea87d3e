import FlowForgeStore
import Foundation
import Hummingbird

/// `/api/user/secrets`: create (the value is never shown again), list (names, scope, dates) and delete.
/// A secret belongs to the account, or to one of its repositories (`repository_id`); another account's
/// repository is a 404, as if it did not exist.
struct SecretController {
    let secrets: any SecretRepository
    let repositories: any ConnectedRepositoryRepository
    let secretBox: SecretBox

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .delete(":name", use: delete)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SecretView> {
        let userID = try context.requireUser()
        let body = try await request.decodeJSON(SecretRequest.self, context: context)
        return EditedResponse(status: .created, response: try await store(body, userID: userID, context: context))
    }

    /// Seals and stores a new secret (the dashboard's form calls this too); its value is never shown again.
    func store(_ body: SecretRequest, userID: String, context: AppRequestContext) async throws -> SecretView {
        let name = try SecretRequest.validName(body.name)
        let value = try body.validValue()
        let repositoryID = try await ownRepository(body.repositoryId, userID: userID)

        let id = UUID().uuidString.lowercased()
        let now = Clock.nowMillis()
        let secret = UserSecret(
            id: id, userID: userID, repositoryID: repositoryID, name: name,
            valueSealed: try secretBox.seal(value, purpose: UserSecret.valuePurpose(id: id)),
            pullRequests: body.pullRequests ?? false, createdAt: now, updatedAt: now)
        do {
            try await secrets.create(secret)
        } catch StoreError.conflict {
            let scope = repositoryID.map { "repository \($0)" } ?? "your account"
            throw APIError(.conflict, code: "secret_exists", message: "a secret named \(name) already exists for \(scope); delete it first (DELETE /api/user/secrets/\(name)\(repositoryID.map { "?repository_id=\($0)" } ?? "")) to replace its value")
        }
        context.logger.info("secret created", metadata: [
            "secret_id": "\(id)", "repository_id": "\(repositoryID ?? "-")", "pull_requests": "\(secret.pullRequests)",
        ])
        return SecretView(secret)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> SecretListView {
        SecretListView(secrets: try await secrets.list(userID: try context.requireUser()).map(SecretView.init))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let userID = try context.requireUser()
        let name = try context.parameters.require("name")
        let repositoryID = try await ownRepository(request.uri.queryParameters["repository_id"].map(String.init), userID: userID)
        guard try await secrets.delete(userID: userID, repositoryID: repositoryID, name: name) else {
            let scope = repositoryID.map { " of repository \($0)" } ?? " of the account (pass ?repository_id= for a repository's secret)"
            throw APIError.notFound("secret \(name)\(scope)")
        }
        context.logger.info("secret deleted", metadata: ["repository_id": "\(repositoryID ?? "-")"])
        return .noContent
    }

    /// The repository id when the account owns it; nil when none is given. Another account's repository
    /// is a 404, exactly like one that does not exist.
    private func ownRepository(_ raw: String?, userID: String) async throws -> String? {
        guard let raw else { return nil }
        let id = raw.trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty else {
            throw APIError.validation("repository_id", "is empty; leave it out for a secret of the whole account, or give the id of one of your repositories (GET /api/user/repositories)")
        }
        guard try await repositories.find(id: id, userID: userID) != nil else {
            throw APIError.notFound("repository \(id)")
        }
        return id
    }
}

extension SecretController {
    init(services: AppServices) {
        self.init(secrets: services.secrets, repositories: services.connectedRepositories, secretBox: services.secretBox)
    }
}

extension AppServices {
    var secrets: any SecretRepository { SQLSecretRepository(database: database) }
}
