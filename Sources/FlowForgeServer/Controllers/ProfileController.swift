import FlowForgeStore
import Foundation
import Hummingbird

/// `GET` and `PATCH /api/user/profile` for the signed-in account.
struct ProfileController {
    let services: AppServices

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

    /// Changes email and/or password; either needs `current_password`, so a stolen access token alone can
    /// neither take the account over by e-mail nor lock its owner out. A new password ends every session of
    /// the account, this one included (every refresh token is revoked and every access token issued before
    /// is refused): the client signs in again with the new password.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Profile {
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        var user = try await currentUser(context)
        if body.email == nil && body.password == nil {
            throw APIError.validation("body", "send email and/or password (with current_password) to change")
        }
        let newEmail = try body.email.map(AccountValidation.email)
        let newPassword = try body.password.map { try AccountValidation.password($0) }
        guard let current = body.currentPassword else {
            let what = newPassword == nil ? "the email" : "the password"
            throw APIError.validation("current_password", "is required to change \(what)")
        }
        guard try await services.passwords.verify(current, hash: user.passwordHash) else {
            throw APIError(.forbidden, code: "current_password_incorrect", message: "current_password is incorrect")
        }
        user.updatedAt = Clock.nowMillis()
        if let newEmail, newEmail != user.email {
            do {
                try await services.users.updateEmail(id: user.id, email: newEmail, at: user.updatedAt)
            } catch StoreError.conflict {
                throw APIError(.conflict, code: "email_taken", message: "another account already uses this email")
            }
            user.email = newEmail
        }
        if let newPassword {
            let hash = try await services.passwords.hash(newPassword)
            guard let generation = try await services.users.changePassword(id: user.id, passwordHash: hash, at: user.updatedAt) else {
                throw APIError.unauthorized
            }
            user.passwordHash = hash
            user.tokenGeneration = generation
            context.logger.info("password changed; every session ended", metadata: ["user_id": "\(user.id)"])
        }
        return Profile(user)
    }

    private func currentUser(_ context: AppRequestContext) async throws -> UserRecord {
        guard let user = try await services.users.find(id: try context.requireUser()) else { throw APIError.unauthorized }
        return user
    }
}
