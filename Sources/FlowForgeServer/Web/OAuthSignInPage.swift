import Hummingbird

/// `/auth/callback`: where `OAuthController` sends flows started outside the web app, with the tokens in the
/// URL's fragment for the client that started them. The page never turns a token into a browser session: a
/// link carrying someone else's token would sign the visitor into that account (login CSRF). Sign-in started
/// from the web page (`/auth/<forge>?web=1`) gets its session from the forge callback itself, which checks the
/// flow's state against this browser's nonce cookie.
struct OAuthSignInPage {
    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("callback", use: page)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        WebPage(title: "Sign in", content: """
            <section class="narrow card"><h1>Sign in</h1>
            <p>To use the dashboard, sign in from the sign-in page; signing in with a forge there brings you straight back.</p>
            <p><a class="button" href="/auth/login">Go to sign-in</a></p></section>
            """).render(context)
    }
}

/// "Sign in with …" links for the forges this server has OAuth apps for.
func forgeSignInLinks(_ services: AppServices) -> HTML {
    let names = ["github": "GitHub", "gitlab": "GitLab", "bitbucket": "Bitbucket"]
    let links = OAuthController.forges.filter { services.configuration.oauthClients[$0] != nil }.map { forge -> HTML in
        "<a class=\"button\" href=\"/auth/\(forge)?web=1\">Sign in with \(names[forge] ?? forge)</a>"
    }
    return links.isEmpty ? "" : "<div class=\"actions\">\(links)</div>"
}
