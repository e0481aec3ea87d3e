import FlowForgeStore
import Foundation
import Hummingbird

/// Authenticates account routes with a JWT access token (`Authorization: Bearer <jwt>`); anything else is 401.
/// A token of a deleted account is refused too, and so is one issued before the account's last password
/// change (its `gen` claim is below the account's token generation).
struct AccessTokenMiddleware: RouterMiddleware {
    let services: AppServices

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let token = request.bearerToken, !token.hasPrefix("ff_") else {
            throw request.bearerToken?.hasPrefix("ff_") == true
                ? APIError(.unauthorized, code: "unauthorized", message: "API keys work on /api/v1 routes only; sign in for an access token to manage your account")
                : APIError.unauthorized
        }
        guard let claims = await services.accessTokens.verifiedClaims(token),
              let user = try await account(claims.sub.value, context: context),
              claims.gen ?? 0 == user.tokenGeneration
        else {
            throw APIError(.unauthorized, code: "invalid_token", message: "the access token is invalid or expired; refresh it or sign in again")
        }
        var context = context
        context.userID = user.id
        context.logger[metadataKey: "user_id"] = "\(user.id)"
        return try await next(request, context)
    }

    /// The account, as the rate limiter read it moments ago in this request, else from the database.
    private func account(_ id: String, context: AppRequestContext) async throws -> UserRecord? {
        if let read = context.accountReadForRateLimit, read.id == id { return read }
        return try await services.users.find(id: id)
    }
}

/// Authenticates the public v1 API with an API key (`Authorization: Bearer ff_…`). A revoked key fails at once
/// because every request looks the key up; `last_used_at` is written at most once a minute per key.
struct APIKeyMiddleware: RouterMiddleware {
    let services: AppServices

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response {
        guard let token = request.bearerToken else {
            throw APIError(.unauthorized, code: "unauthorized", message: "send an API key as `Authorization: Bearer ff_…`; create one at POST /api/user/api-keys")
        }
        guard token.hasPrefix("ff_") else {
            // Most often the access token from sign-in, which works on /api/user routes only.
            throw APIError(
                .unauthorized, code: "api_key_required",
                message: "this route takes an API key, not an access token; create one with POST /api/user/api-keys and send it as `Authorization: Bearer ff_…`")
        }
        let verified: APIKeyRecord?
        if let known = context.verifiedAPIKey {
            verified = known
        } else {
            verified = try await services.apiKeys.findActive(keyHash: SecretHashing.hmacHex(token, key: services.configuration.apiKeySalt))
        }
        guard let key = verified else {
            throw APIError(.unauthorized, code: "invalid_api_key", message: "the API key is unknown or revoked")
        }
        let now = Clock.nowMillis()
        if (key.lastUsedAt ?? 0) < now - 60_000 {
            try await services.apiKeys.touch(id: key.id, at: now)
        }
        var context = context
        context.userID = key.userID
        context.apiKeyID = key.id
        context.logger[metadataKey: "user_id"] = "\(key.userID)"
        context.logger[metadataKey: "api_key_id"] = "\(key.id)"
        return try await next(request, context)
    }
}

extension Request {
    var bearerToken: String? {
        guard let header = headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
