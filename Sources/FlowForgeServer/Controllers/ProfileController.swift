import FlowForgeStore
import Foundation
import Hummingbird

/// `GET` and `PATCH /api/user/profile` for the signed-in account.
struct ProfileController {
    let services: AppServices
    let refreshTokens: any RefreshTokenRepository

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: show)
            .patch(use: update)
    }

    struct Profile: ResponseEncodable {
        let id: String
        let email: String
        let plan: String
        let createdAt: Date
        let updatedAt: Date

        init(_ user: UserRecord) {
            id = user.id
            email = user.email
            plan = user.plan
            createdAt = Clock.date(millis: user.createdAt)
            updatedAt = Clock.date(millis: user.updatedAt)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Profile {
        Profile(try await currentUser(context))
    }

    struct UpdateBody: Decodable {
        let email: String?
        let password: String?
        let currentPassword: String?
    }

    /// Changes email and/or password. A new password needs the current one, and ends every other session
    /// (all refresh tokens are revoked).
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Profile {
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        var user = try await currentUser(context)
        if body.email == nil && body.password == nil {
            throw APIError.validation("body", "send email and/or password (with current_password) to change")
        }
        if let email = body.email {
            user.email = try AccountValidation.email(email)
        }
        var passwordChanged = false
        if let password = body.password {
            let newPassword = try AccountValidation.password(password)
            guard let current = body.currentPassword else {
                throw APIError.validation("current_password", "is required to change the password")
            }
            guard try await services.passwords.verify(current, hash: user.passwordHash) else {
                throw APIError(.forbidden, code: "current_password_incorrect", message: "current_password is incorrect")
            }
            user.passwordHash = try await services.passwords.hash(newPassword)
            passwordChanged = true
        }
        user.updatedAt = Clock.nowMillis()
        do {
            try await services.users.update(user)
        } catch StoreError.conflict {
            throw APIError(.conflict, code: "email_taken", message: "another account already uses this email")
        }
        if passwordChanged {
            try await refreshTokens.revokeAll(userID: user.id, at: user.updatedAt)
        }
        return Profile(user)
    }

    private func currentUser(_ context: AppRequestContext) async throws -> UserRecord {
        guard let user = try await services.users.find(id: try context.requireUser()) else { throw APIError.unauthorized }
        return user
    }
}
