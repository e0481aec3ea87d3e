import FlowForgeStore
import Hummingbird

/// `GET /api/v1/user`: which account an API key belongs to, so a script can check its key before using it.
struct V1AccountController {
    let services: AppServices

    struct Account: ResponseEncodable {
        let id: String
        let email: String
        let plan: String
        let apiKeyId: String?
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("user") { _, context in
                guard let user = try await services.users.find(id: try context.requireUser()) else { throw APIError.unauthorized }
                return Account(id: user.id, email: user.email, plan: user.plan, apiKeyId: context.apiKeyID)
            }
    }
}
