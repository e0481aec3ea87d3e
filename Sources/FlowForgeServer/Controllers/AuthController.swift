import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// `POST /api/auth/register`, `/login` and `/refresh`.
struct AuthController {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("register", use: register)
            .post("login", use: login)
            .post("refresh", use: refresh)
    }

    struct RegisterBody: Decodable {
        let email: String?
        let password: String?
        let plan: String?
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<SessionResponse> {
        let body = try await request.decodeJSON(RegisterBody.self, context: context)
        let (user, plan) = try await createAccount(email: body.email, password: body.password, plan: body.plan, context: context)
        var session = try await services.sessions.issue(for: user)
        if plan != PlanCatalog.freePlanID {
            session = await PaidSignUp(billing: services.billing, logger: context.logger).start(session, user: user, plan: plan)
        }
        return EditedResponse(status: .created, response: session)
    }

    struct LoginBody: Decodable {
        let email: String?
        let password: String?
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> SessionResponse {
        let body = try await request.decodeJSON(LoginBody.self, context: context)
        let user = try await verifyCredentials(email: body.email, password: body.password, context: context)
        return try await services.sessions.issue(for: user)
    }

    /// Creates a free account (the web app's sign-up form calls this too); returns it and the plan asked for.
    func createAccount(email rawEmail: String?, password rawPassword: String?, plan rawPlan: String?, context: AppRequestContext) async throws -> (UserRecord, String) {
        let email = try AccountValidation.email(rawEmail)
        let password = try AccountValidation.password(rawPassword)
        let plan = try AccountValidation.plan(rawPlan, catalog: services.configuration.plans)
        let now = Clock.nowMillis()
        // Every account starts on free: a paid plan is granted only when Stripe reports the payment.
        let user = UserRecord(
            id: UUID().uuidString.lowercased(), email: email, passwordHash: try await services.passwords.hash(password),
            plan: PlanCatalog.freePlanID, createdAt: now, updatedAt: now
        )
        do {
            try await services.users.create(user)
        } catch StoreError.conflict {
            throw APIError(.conflict, code: "email_taken", message: "an account with this email already exists; sign in instead")
        }
        context.logger.info("account registered", metadata: ["user_id": "\(user.id)"])
        return (user, plan)
    }

    /// Checks an email and password through the sign-in throttle (the web app's sign-in form calls this too).
    /// Unknown email and wrong password fail alike, after the same bcrypt work.
    func verifyCredentials(email rawEmail: String?, password: String?, context: AppRequestContext) async throws -> UserRecord {
        guard let rawEmail, let password else {
            throw APIError.validation(rawEmail == nil ? "email" : "password", "is required")
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let address = RateLimitIdentities.addressKey(context.remoteAddress)
        try await services.throttle.admit(email: email, address: address)

        let user = try await services.users.find(email: email)
        let matches = try await services.passwords.verify(password, hash: user?.passwordHash ?? services.passwords.decoyHash)
        guard let user, matches else {
            try await services.throttle.recordFailure(email: email, address: address)
            context.logger.notice("failed sign-in", metadata: ["client": "\(address)"])
            throw APIError(.unauthorized, code: "invalid_credentials", message: "email or password is incorrect")
        }
        try await services.throttle.recordSuccess(email: email, address: address)
        return user
    }

    struct RefreshBody: Decodable {
        let refreshToken: String?
    }

    @Sendable func refresh(_ request: Request, context: AppRequestContext) async throws -> SessionResponse {
        let body = try await request.decodeJSON(RefreshBody.self, context: context)
        guard let token = body.refreshToken else { throw APIError.validation("refresh_token", "is required") }
        let (rotation, successor) = try await services.sessions.rotate(presented: token)
        switch rotation {
        case .rotated(let userID, _, let generation):
            guard let user = try await services.users.find(id: userID) else { throw Self.invalidRefresh }
            return try await services.sessions.response(for: user, generation: generation, refreshToken: successor)
        case .reused:
            context.logger.warning("refresh token reused; family revoked")
            throw APIError(.unauthorized, code: "refresh_token_reused", message: "this refresh token was already used, so every session from that sign-in has been ended; sign in again")
        case .familyRevoked:
            // Not this token's fault: a sibling was presented twice, which is what a stolen token looks like.
            throw APIError(
                .unauthorized, code: "refresh_token_family_revoked",
                message: "this refresh token's family (its sign-in) was revoked because an earlier token of it was reused, a sign of theft; sign in again")
        case .revoked:
            throw APIError(
                .unauthorized, code: "refresh_token_revoked",
                message: "this sign-in was ended (a password change ends every session); sign in again")
        case .invalid:
            throw Self.invalidRefresh
        }
    }

    static let invalidRefresh = APIError(.unauthorized, code: "invalid_refresh_token", message: "the refresh token is unknown or expired; sign in again")
}
