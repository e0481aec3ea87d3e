import Foundation
import Hummingbird

/// `GET /auth/github/install`: sends the browser to the GitHub App's install page. The `state` it carries
/// is also set in a short-lived cookie, so the setup callback can tell that the installation it is told
/// about was started from this browser (GitHub hands `state` back on the setup URL).
///
/// Mount at the router root: `router.addRoutes(GitHubAppInstallController(...).endpoints)`.
struct GitHubAppInstallController {
    /// `GITHUB_APP_SLUG`; nil answers 404 with what to configure.
    let slug: String?
    /// Set `Secure` on the cookie when the dashboard is served over HTTPS.
    let secureCookies: Bool

    static let stateCookie = "flowforge_github_install_state"
    /// Long enough to pick repositories on GitHub's page, short enough that a leaked state soon lapses.
    static let stateLifetimeSeconds = 600

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get("auth/github/install", use: install)
    }

    @Sendable func install(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let slug, Self.installURL(slug: slug, state: "") != nil else {
            throw APIError(.notFound, code: "github_app_not_configured",
                           message: "installing the GitHub App is not set up here: the operator must set GITHUB_APP_SLUG (and GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY)")
        }
        let state = SecretHashing.randomToken()
        var headers = HTTPFields()
        headers[.location] = Self.installURL(slug: slug, state: state)
        headers[.setCookie] = "\(Self.stateCookie)=\(state); Path=/auth/github; Max-Age=\(Self.stateLifetimeSeconds); HttpOnly; SameSite=Lax"
            + (secureCookies ? "; Secure" : "")
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }

    /// `https://github.com/apps/<slug>/installations/new?state=<state>`, or nil for a slug that is not a
    /// plain URL name.
    static func installURL(slug: String, state: String) -> String? {
        guard !slug.isEmpty, slug.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), slug.allSatisfy(\.isASCII) else {
            return nil
        }
        return "https://github.com/apps/\(slug)/installations/new?state=\(state)"
    }
}
