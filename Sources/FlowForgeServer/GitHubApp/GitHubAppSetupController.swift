import FlowForgeStore
import Foundation
import Hummingbird

/// Links a GitHub App installation to the signed-in account, once GitHub confirms the account may use it.
///
/// `POST /api/user/github/install` (access token) answers `{install_url}` and sets a nonce cookie; its `state` is a
/// signed token naming the account. GitHub sends the browser back to the App's Setup URL,
/// `GET /auth/github/setup?installation_id=…&state=…`, which checks the state against the cookie (so nobody can
/// attach an installation to someone else's account), then asks GitHub with the account's own GitHub OAuth
/// token (`GET /user/installations`) whether that user can reach the installation: the id in the query string
/// alone proves nothing. Then it links and redirects to `FRONTEND_URL/settings/github?installation_id=…`.
///
/// `GET /auth/github/install` starts the same round trip from a plain link; its state lives in a cookie and is
/// checked here too, but names no account, so the browser is sent to the dashboard, which links with
/// `POST /api/user/github/installations {"installation_id": …}` (same proof).
struct GitHubAppSetupController {
    let services: AppServices
    let installations: any GitHubInstallationRepository
    let identities: any OAuthIdentityRepository
    let userInstallations: GitHubUserInstallations

    static let stateProvider = "github-app"

    var accountEndpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post("github/install", use: start)
            .post("github/installations", use: linkFromDashboard)
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("auth/github/setup", use: setup)
    }

    struct InstallURL: ResponseEncodable {
        let installUrl: String
    }

    struct LinkRequest: Decodable {
        let installationId: Int64?
    }

    struct Linked: ResponseEncodable {
        let installationId: Int64
        let linked: Bool
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
        let state = query["state"].map(String.init)
        if let state, let claims = await services.accessTokens.verifyOAuthState(
            state, provider: Self.stateProvider, cookieNonce: request.cookieValue(OAuthStateClaims.cookieName)
        ), let userID = claims.linkUserID {
            try await link(installation, userID: userID, context: context)
            return Response(status: .found, headers: [
                .location: services.configuration.frontendURL + "/settings/github?installation_id=\(installation)",
                .setCookie: OAuthStateClaims.clearedCookie,
            ])
        }
        if let state, let cookie = request.cookieValue(GitHubAppInstallController.stateCookie),
           SecretHashing.constantTimeEquals(state, cookie) {
            // Started from the plain install link: the state checks out but names no account. The dashboard,
            // signed in, finishes with POST /api/user/github/installations.
            return Response(status: .found, headers: [
                .location: services.configuration.frontendURL + "/settings/github?installation_id=\(installation)&link=required",
                .setCookie: "\(GitHubAppInstallController.stateCookie)=; Path=/auth/github; Max-Age=0; HttpOnly; SameSite=Lax",
            ])
        }
        throw APIError(.badRequest, code: "invalid_install_state", message: "this installation link is invalid, expired or was started in another browser; start the installation again from FlowForge")
    }

    @Sendable func linkFromDashboard(_ request: Request, context: AppRequestContext) async throws -> Linked {
        let userID = try context.requireUser()
        let body = try await request.decodeJSON(LinkRequest.self, context: context)
        guard let installation = body.installationId, installation > 0 else {
            throw APIError.validation("installation_id", "is required: the id GitHub put in the setup URL")
        }
        try await link(installation, userID: userID, context: context)
        return Linked(installationId: installation, linked: true)
    }

    /// Links after GitHub confirmed, with the account's own GitHub sign-in, that its user reaches the
    /// installation. Throws a 403 that says what is missing, or a 502 when GitHub could not be asked.
    private func link(_ installation: Int64, userID: String, context: AppRequestContext) async throws {
        guard let identity = try await identities.list(userID: userID).first(where: { $0.provider == "github" }) else {
            throw APIError(.forbidden, code: "github_account_not_linked",
                           message: "FlowForge must confirm with GitHub that you can use installation \(installation): connect your GitHub account first (POST /api/user/oauth/github/authorize), then install again")
        }
        let token: String
        do {
            token = try services.secretBox.open(identity.accessTokenSealed, purpose: "oauth_identities:github:\(identity.providerUserID):access")
        } catch {
            throw APIError(.forbidden, code: "github_account_not_linked",
                           message: "FlowForge cannot read your GitHub sign-in any more: connect your GitHub account again (POST /api/user/oauth/github/authorize), then install again")
        }
        switch await userInstallations.check(installationID: installation, userToken: token, logger: context.logger) {
        case .accessible:
            break
        case .notAccessible:
            context.logger.notice("github app installation not reachable by the user; not linked", metadata: ["installation_id": "\(installation)", "user_id": "\(userID)"])
            throw APIError(.forbidden, code: "installation_not_accessible",
                           message: "GitHub does not list installation \(installation) among those your GitHub account (\(identity.login)) can reach; install the App from that account, or ask an owner of the organisation")
        case .tokenRefused:
            throw APIError(.forbidden, code: "github_account_not_linked",
                           message: "GitHub refused your saved GitHub sign-in; connect your GitHub account again (POST /api/user/oauth/github/authorize), then install again")
        case .unavailable(let reason):
            throw APIError(.badGateway, code: "github_unavailable", message: "could not ask GitHub about installation \(installation) (\(reason)); try again later")
        }
        guard try await installations.link(id: installation, userID: userID) else {
            // GitHub lists an organisation's installation for anyone who can reach one repository in it, so
            // that proof cannot decide between two accounts: the first link stands.
            let account = try await installations.find(id: installation)?.account ?? ""
            let owner = account.isEmpty ? "the GitHub account it is installed on" : "GitHub account \(account)"
            context.logger.notice("github app installation already linked to another account; not moved", metadata: ["installation_id": "\(installation)", "user_id": "\(userID)"])
            throw APIError(.conflict, code: "installation_already_linked",
                           message: "installation \(installation) is already linked to another FlowForge account, and a link never moves; ask the FlowForge user who installed the App for \(owner) to connect the repository you need, or an owner of \(owner) to uninstall the App and install it again from your account")
        }
        context.logger.info("github app installation linked", metadata: ["installation_id": "\(installation)", "user_id": "\(userID)"])
    }
}
