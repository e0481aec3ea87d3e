import FlowForgeStore
import Foundation
import Hummingbird

/// `/api/user/api-keys`: list (never the secret), create (the key is shown once), revoke.
struct APIKeyController {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: list)
            .post(use: create)
            .delete(":id", use: revoke)
    }

    struct KeyView: ResponseEncodable {
        let id: String
        let name: String
        let prefix: String
        let createdAt: Date
        let lastUsedAt: Date?

        init(_ record: APIKeyRecord) {
            id = record.id
            name = record.name
            prefix = record.prefix
            createdAt = Clock.date(millis: record.createdAt)
            lastUsedAt = record.lastUsedAt.map(Clock.date(millis:))
        }
    }

    struct KeyList: ResponseEncodable {
        let apiKeys: [KeyView]
    }

    struct CreatedKey: ResponseEncodable {
        let id: String
        let name: String
        let prefix: String
        let key: String
        let createdAt: Date
    }

    struct CreateBody: Decodable {
        let name: String?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> KeyList {
        KeyList(apiKeys: try await services.apiKeys.list(userID: try context.requireUser()).map(KeyView.init))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<CreatedKey> {
        let userID = try context.requireUser()
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        return EditedResponse(status: .created, response: try await createKey(userID: userID, name: body.name, context: context))
    }

    /// Makes a key for the account (the web app's form calls this too); the key is in the answer only.
    func createKey(userID: String, name rawName: String?, context: AppRequestContext) async throws -> CreatedKey {
        let name = (rawName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw APIError.validation("name", "is required") }
        guard name.count <= 100 else { throw APIError.validation("name", "must be at most 100 characters") }

        let key = "ff_" + SecretHashing.randomToken()
        let record = APIKeyRecord(
            id: UUID().uuidString.lowercased(), userID: userID, name: name, prefix: String(key.prefix(11)),
            createdAt: Clock.nowMillis(), lastUsedAt: nil, revokedAt: nil
        )
        try await services.apiKeys.create(record, keyHash: SecretHashing.hmacHex(key, key: services.configuration.apiKeySalt))
        context.logger.info("api key created", metadata: ["api_key_id": "\(record.id)"])
        return CreatedKey(id: record.id, name: name, prefix: record.prefix, key: key, createdAt: Clock.date(millis: record.createdAt))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let userID = try context.requireUser()
        let id = try context.parameters.require("id")
        guard try await services.apiKeys.revoke(id: id, userID: userID, at: Clock.nowMillis()) else {
            throw APIError.notFound("API key \(id)")
        }
        context.logger.info("api key revoked", metadata: ["api_key_id": "\(id)"])
        return .noContent
    }
}
