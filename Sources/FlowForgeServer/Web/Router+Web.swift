import FlowForgeStore
import Hummingbird

/// Mounts the web app: the landing page, sign-in pages, the dashboard (signed in only) and the assets.
/// Every page passes `WebSessionMiddleware` (session, CSRF, CSP); dashboard pages also `SignedInMiddleware`.
func addWebRoutes(to router: Router<AppRequestContext>, services: AppServices) {
    let sessions = WebSessions(services: services)
    router.addRoutes(WebAssets().endpoints, atPath: "/assets")

    let formLimiter = RateLimiter(windowMillis: services.configuration.rateLimitWindowMillis, limit: services.configuration.rateLimitMaxRequests)
    let web = router.group().add(middleware: WebSessionMiddleware(sessions: sessions, limiter: formLimiter))
    web.get("/", use: LandingPage(catalog: services.configuration.plans, apiBaseURL: services.configuration.apiBaseURL).show)
    web.addRoutes(WebAuthController(services: services, sessions: sessions).endpoints, atPath: "/auth")
    web.addRoutes(OAuthSignInPage().endpoints, atPath: "/auth")
    // Commit statuses posted before the page moved under /dashboard, and Stripe's default return URL.
    web.get("/pipelines/:id") { _, context -> Response in
        let id = try context.parameters.require("id")
        guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { throw APIError.notFound("pipeline") }
        throw WebRedirect(location: "/dashboard/pipelines/\(id)")
    }
    web.get("/billing") { request, _ -> Response in
        throw WebRedirect(location: "/dashboard/billing" + (request.uri.query.map { "?" + $0 } ?? ""))
    }

    let dashboard = web.group("/dashboard").add(middleware: SignedInMiddleware())
    dashboard.addRoutes(DashboardController(services: services).endpoints)
    dashboard.addRoutes(APIKeysPage(services: services).endpoints, atPath: "api-keys")
    dashboard.addRoutes(PipelinePages(services: services).endpoints, atPath: "pipelines")
    dashboard.addRoutes(BillingPage(services: services).endpoints, atPath: "billing")
    dashboard.addRoutes(RepositoriesPage(services: services).endpoints, atPath: "repositories")
    dashboard.addRoutes(SettingsPage(services: services, sessions: sessions).endpoints, atPath: "settings")
}
