import FlowForgeStore
import Foundation
import Hummingbird

/// Links a GitHub App installation to the signed-in account.
///
/// `POST /api/user/github/install` (access token) answers `{install_url}` and sets a nonce cookie; its `state` is a
/// signed token naming the account. GitHub sends the browser back to the App's Setup URL,
/// `GET /auth/github/setup?installation_id=…&state=…`, which checks the state against the cookie (so nobody can
/// attach their installation to someone else's account) and links the installation, then redirects to
/// `FRONTEND_URL/settings/github?installation_id=…`.
struct GitHubAppSetupController {
    let services: AppServices
    let installations: any GitHubInstallationRepository

    static let stateProvider = "github-app"

    var accountEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).post("github/install", use: start)
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("auth/github/setup", use: setup)
    }

    struct InstallURL: ResponseEncodable {
        let installUrl: String
    }

    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.requireUser()
        guard let slug = services.configuration.gitHubAppSlug else {
            throw APIError(.notFound, code: "github_app_not_configured", message: "the GitHub App is not set up here: the operator must set GITHUB_APP_SLUG, GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY")
        }
        let (state, nonce) = try await services.accessTokens.issueOAuthState(provider: Self.stateProvider, linkUserID: userID)
        guard let url = GitHubAppInstallController.installURL(slug: slug, state: state) else {
            throw APIError(.internalServerError, code: "github_app_misconfigured", message: "GITHUB_APP_SLUG is not a valid App name")
        }
        var response = try InstallURL(installUrl: url).response(from: request, context: context)
        response.headers[.setCookie] = OAuthStateClaims.cookie(nonce: nonce, secure: services.configuration.apiBaseURL.hasPrefix("https://"))
        return response
    }

    @Sendable func setup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let installation = query["installation_id"].flatMap({ Int64(String($0)) }) else {
            throw APIError.validation("installation_id", "is required; GitHub adds it when it sends you back here")
        }
        guard let state = query["state"].map(String.init),
              let claims = await services.accessTokens.verifyOAuthState(state, provider: Self.stateProvider, cookieNonce: request.cookieValue(OAuthStateClaims.cookieName)),
              let userID = claims.linkUserID
        else {
            throw APIError(.badRequest, code: "invalid_install_state", message: "this installation link is invalid, expired or was started in another browser; start the installation again from FlowForge")
        }
        _ = try await installations.link(id: installation, userID: userID)
        context.logger.info("github app installation linked", metadata: ["installation_id": "\(installation)", "user_id": "\(userID)"])
        return Response(status: .found, headers: [
            .location: services.configuration.frontendURL + "/settings/github?installation_id=\(installation)",
            .setCookie: OAuthStateClaims.clearedCookie,
        ])
    }
}
