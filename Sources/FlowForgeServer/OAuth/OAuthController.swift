import FlowForgeStore
import HTTPTypes
import Foundation
import Hummingbird

/// OAuth sign-in and "connect" for GitHub, GitLab and Bitbucket.
///
/// - `GET /auth/<forge>` redirects to the forge (sign in, or sign up on first visit); `?web=1` (the web sign-in
///   page's links) makes the callback start a browser session and redirect to `/dashboard` instead;
/// - `POST /api/user/oauth/<forge>/authorize` (signed in) answers `{authorize_url}` for linking the forge account
///   to the current one; the client then navigates there;
/// - `GET /auth/<forge>/callback` checks `state` against the browser's cookie, exchanges the code, and redirects to
///   `FRONTEND_URL/auth/callback#access_token=…&refresh_token=…` (a fragment, so tokens never reach a server log).
struct OAuthController {
    let services: AppServices
    let identities: any OAuthIdentityRepository
    let client: OAuthClient

    static let forges = ["github", "gitlab", "bitbucket"]

    /// One constant path per forge rather than `:forge`: the router prefers constant segments, so a
    /// parameter route would lose `/auth/github` to `/auth/github/install`.
    var endpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        for forge in Self.forges {
            routes.get(RouterPath(forge)) { request, context in try await start(forge, request, context) }
            routes.get(RouterPath("\(forge)/callback")) { request, context in try await callback(forge, request, context) }
        }
        return routes
    }

    /// Mounted under the access-token-protected `/api/user`.
    var linkEndpoints: RouteCollection<AppRequestContext> {
        let routes = RouteCollection(context: AppRequestContext.self)
        for forge in Self.forges {
            routes.post(RouterPath("oauth/\(forge)/authorize")) { request, context in try await startLink(forge, request, context) }
        }
        return routes
    }

    struct AuthorizeURL: ResponseEncodable {
        let authorizeUrl: String
    }

    func start(_ forge: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (url, cookie) = try await authorizeURL(forge, linkUserID: nil, web: request.uri.queryParameters["web"] == "1")
        return Response(status: .found, headers: [.location: url, .setCookie: cookie])
    }

    func startLink(_ forge: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (url, cookie) = try await authorizeURL(forge, linkUserID: try context.requireUser())
        var response = try AuthorizeURL(authorizeUrl: url).response(from: request, context: context)
        response.headers[.setCookie] = cookie
        return response
    }

    func callback(_ forge: String, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (provider, credentials) = try configured(forge)
        let query = request.uri.queryParameters
        if let denied = query["error"] {
            throw APIError(.badRequest, code: "oauth_denied", message: "\(provider.name) did not authorize FlowForge (\(denied)); start the sign-in again")
        }
        guard let code = query["code"].map(String.init), let state = query["state"].map(String.init),
              let claims = await services.accessTokens.verifyOAuthState(state, provider: provider.name, cookieNonce: request.cookieValue(OAuthStateClaims.cookieName))
        else {
            throw APIError(.badRequest, code: "invalid_oauth_state", message: "this sign-in link is invalid, expired or was started in another browser; start the sign-in again")
        }
        let token = try await client.exchange(code: code, provider: provider, client: credentials, redirectURI: redirectURI(provider))
        let forgeUser = try await client.user(provider: provider, token: token.accessToken)
        let user = try await account(for: forgeUser, provider: provider, linkUserID: claims.linkUserID)
        let box = services.secretBox
        let purpose = "oauth_identities:\(provider.name):\(forgeUser.id)"
        try await identities.save(
            OAuthIdentityRecord(
                provider: provider.name, providerUserID: forgeUser.id, userID: user.id, login: forgeUser.login,
                accessTokenSealed: try box.seal(token.accessToken, purpose: purpose + ":access"),
                refreshTokenSealed: try token.refreshToken.map { try box.seal($0, purpose: purpose + ":refresh") }
            ),
            at: Clock.nowMillis()
        )
        context.logger.info("oauth sign-in", metadata: ["provider": "\(provider.name)", "user_id": "\(user.id)"])
        if claims.web == true, claims.linkUserID == nil {
            // Relative: the web app is served by this server, which is where the session cookie is set.
            context.logger.info("browser signed in through a forge", metadata: ["provider": "\(provider.name)", "user_id": "\(user.id)"])
            var headers: HTTPFields = [.location: "/dashboard", .setCookie: OAuthStateClaims.clearedCookie]
            headers.append(HTTPField(name: .setCookie, value: try await WebSessions(services: services).begin(for: user)))
            return Response(status: .seeOther, headers: headers)
        }
        let session = try await services.sessions.issue(for: user)
        var fragment = "access_token=\(session.accessToken)&refresh_token=\(session.refreshToken)&token_type=Bearer&expires_in=\(session.expiresIn)"
        if claims.linkUserID != nil { fragment += "&linked=\(provider.name)" }
        return Response(status: .found, headers: [
            .location: services.configuration.frontendURL + "/auth/callback#" + fragment,
            .setCookie: OAuthStateClaims.clearedCookie,
        ])
    }

    /// The account this forge user signs into: the one already linked, the one being linked, or a new one.
    ///
    /// Never an existing account found by e-mail alone: FlowForge does not verify the addresses people sign up
    /// with, so whoever registered the address first (perhaps not its owner) would otherwise receive the forge
    /// identity, or the forge user would receive an account someone else prepared. An account is linked only
    /// by its signed-in owner (`POST /api/user/oauth/<forge>/authorize`).
    private func account(for forgeUser: OAuthUser, provider: OAuthProvider, linkUserID: String?) async throws -> UserRecord {
        if let existing = try await identities.find(provider: provider.name, providerUserID: forgeUser.id) {
            if let linkUserID, linkUserID != existing.userID {
                throw APIError(.conflict, code: "identity_taken", message: "this \(provider.name) account is already linked to another FlowForge account")
            }
            if let user = try await services.users.find(id: existing.userID) { return user }
        }
        if let linkUserID {
            guard let user = try await services.users.find(id: linkUserID) else { throw APIError.unauthorized }
            return user
        }
        if let email = forgeUser.email?.lowercased(), try await services.users.find(email: email) != nil {
            throw Self.accountExists(provider)
        }
        let now = Clock.nowMillis()
        let user = UserRecord(
            id: UUID().uuidString.lowercased(),
            email: forgeUser.email?.lowercased() ?? "\(provider.name)-\(forgeUser.id)@users.noreply.invalid",
            // A random password nobody knows: the account signs in through the forge until one is set.
            passwordHash: try await services.passwords.hash(SecretHashing.randomToken(bytes: 24)),
            plan: "free", createdAt: now, updatedAt: now
        )
        do {
            try await services.users.create(user)
        } catch StoreError.conflict {
            throw Self.accountExists(provider)
        }
        return user
    }

    static func accountExists(_ provider: OAuthProvider) -> APIError {
        APIError(
            .conflict, code: "account_exists",
            message: "a FlowForge account with the email of this \(provider.name) account already exists; sign in with your password and link \(provider.name) from your account settings (POST /api/user/oauth/\(provider.name)/authorize)"
        )
    }

    private func authorizeURL(_ forge: String, linkUserID: String?, web: Bool = false) async throws -> (url: String, cookie: String) {
        let (provider, credentials) = try configured(forge)
        let (state, nonce) = try await services.accessTokens.issueOAuthState(provider: provider.name, linkUserID: linkUserID, web: web)
        var components = URLComponents(string: provider.authorizeURL)!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: credentials.id),
            URLQueryItem(name: "redirect_uri", value: redirectURI(provider)),
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "state", value: state),
        ] + (provider.scope.map { [URLQueryItem(name: "scope", value: $0)] } ?? [])
        let cookie = OAuthStateClaims.cookie(nonce: nonce, secure: services.configuration.apiBaseURL.hasPrefix("https://"))
        return (components.string!, cookie)
    }

    private func configured(_ forge: String) throws -> (OAuthProvider, AppConfiguration.OAuthClient) {
        guard let provider = OAuthProvider.named(forge, configuration: services.configuration) else {
            throw APIError.notFound("sign-in with \(forge)")
        }
        guard let credentials = services.configuration.oauthClients[forge] else {
            let variable = forge.uppercased()
            throw APIError(.notFound, code: "oauth_not_configured", message: "sign-in with \(forge) is not set up on this server (\(variable)_CLIENT_ID and \(variable)_CLIENT_SECRET)")
        }
        return (provider, credentials)
    }

    private func redirectURI(_ provider: OAuthProvider) -> String {
        services.configuration.apiBaseURL + "/auth/\(provider.name)/callback"
    }
}

extension Request {
    /// The value of cookie `name` from the `Cookie` header, if sent.
    func cookieValue(_ name: String) -> String? {
        guard let header = headers[.cookie] else { return nil }
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == name { return String(parts[1]) }
        }
        return nil
    }
}
