import FlowForgeStore
import Hummingbird

/// `/auth/callback`: where sign-in with GitHub, GitLab or Bitbucket lands (`OAuthController` puts the tokens
/// in the URL's fragment, which no server sees). The page's script moves the access token into a form with
/// the CSRF token and posts it; the POST turns a valid access token into a browser session.
struct OAuthSignInPage {
    let services: AppServices
    let sessions: WebSessions

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("callback", use: page)
            .post("callback", use: exchange)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        WebPage(title: "Signing in", scripts: ["/assets/oauth.js"], content: """
            <section class="narrow card"><h1>Signing in…</h1>
            <form id="token-exchange" method="post" action="/auth/callback">\(csrfField(context))
            <input type="hidden" name="access_token" value="">
            <noscript><p>Signing in with a forge needs JavaScript on this page.</p></noscript>
            </form><p><a href="/auth/login">Back to sign-in</a></p></section>
            """).render(context)
    }

    @Sendable func exchange(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let token = context.web.form["access_token"], !token.isEmpty,
              let claims = await services.accessTokens.verifiedClaims(token),
              let user = try await services.users.find(id: claims.sub.value),
              claims.gen ?? 0 == user.tokenGeneration
        else {
            throw APIError(.unauthorized, code: "invalid_token", message: "the sign-in could not be completed (its token is invalid or expired); sign in again")
        }
        context.logger.info("browser signed in through a forge", metadata: ["user_id": "\(user.id)"])
        throw WebRedirect(location: "/dashboard", cookies: [try await sessions.begin(for: user)])
    }
}

/// "Sign in with …" links for the forges this server has OAuth apps for.
func forgeSignInLinks(_ services: AppServices) -> HTML {
    let names = ["github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"]
    let links = OAuthController.forges.filter { services.configuration.oauthClients[$0] != nil }.map { forge -> HTML in
        "<a class=\"button\" href=\"/auth/\(forge)\">Sign in with \(names[forge] ?? forge)</a>"
    }
    return links.isEmpty ? "" : "<div class=\"actions\">\(links)</div>"
}
