import FlowForgeStore
import Hummingbird

/// Mounts every route: health, account (`/api/auth`, `/api/user`), the public catalog, the v1 API, the
/// documentation pages and the status badges.
func buildRouter(services: AppServices, docs: DocsSite) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBytes: services.configuration.maxFileSize))
    router.add(middleware: RateLimitMiddleware(
        limiter: RateLimiter(windowMillis: services.configuration.rateLimitWindowMillis, limit: services.configuration.rateLimitMaxRequests),
        webhookLimiter: RateLimiter(
            windowMillis: services.configuration.rateLimitWindowMillis, limit: services.configuration.webhookRateLimitMaxRequests
        ),
        identities: RateLimitIdentities(
            accessTokens: services.accessTokens, apiKeys: services.apiKeys, apiKeySalt: services.configuration.apiKeySalt,
            users: services.users
        )
    ))

    router.addRoutes(HealthController(database: services.database).endpoints)
    router.addRoutes(AuthController(services: services).endpoints, atPath: "/api/auth")
    router.addRoutes(PlansController(catalog: services.configuration.plans).endpoints, atPath: "/api/billing")
    // Stripe: its webhooks are signed, not authenticated; the rest is the signed-in account's.
    for path in ["/api/billing/webhooks", "/api/webhooks/stripe"] {
        router.addRoutes(StripeWebhookController(billing: services.billing).endpoints, atPath: RouterPath(path))
    }
    router.group("/api/billing").add(middleware: AccessTokenMiddleware(services: services)).addRoutes(
        BillingController(billing: services.billing, users: services.users, store: services.billingStore).endpoints)
    router.addRoutes(WebhookController(services: services).endpoints, atPath: "/api/webhooks")
    let oauth = OAuthController(
        services: services, identities: SQLOAuthIdentityRepository(database: services.database), client: OAuthClient(http: .shared)
    )
    router.addRoutes(oauth.endpoints, atPath: "/auth")
    router.addRoutes(
        GitHubAppInstallController(
            slug: services.configuration.gitHubAppSlug, secureCookies: services.configuration.frontendURL.hasPrefix("https")
        ).endpoints
    )

    let gitHubSetup = GitHubAppSetupController(
        services: services, installations: services.gitHubInstallations,
        identities: SQLOAuthIdentityRepository(database: services.database),
        userInstallations: GitHubUserInstallations(apiBaseURL: services.configuration.gitHubAPIURL, httpClient: .shared)
    )
    router.addRoutes(gitHubSetup.endpoints)

    let account = router.group("/api/user").add(middleware: AccessTokenMiddleware(services: services))
    account.addRoutes(
        ProfileController(services: services).endpoints, atPath: "profile"
    )
    account.addRoutes(APIKeyController(services: services).endpoints, atPath: "api-keys")
    account.addRoutes(RepositoryController(services: services).endpoints, atPath: "repositories")
    account.addRoutes(oauth.linkEndpoints)
    account.addRoutes(gitHubSetup.accountEndpoints)
    account.addRoutes(UsageController(services: services).endpoints)
    account.addRoutes(SecretController(services: services).endpoints, atPath: "secrets")

    // The public API answers under /api/v1 and, as in the published curl examples, under /v1.
    for prefix in ["/api/v1", "/v1"] {
        let v1 = router.group(RouterPath(prefix)).add(middleware: APIKeyMiddleware(services: services))
        v1.addRoutes(V1AccountController(services: services).endpoints)
        v1.addRoutes(UsageController(services: services).endpoints)
        v1.addRoutes(
            PipelineController(
                pipelines: services.pipelines, logs: services.logs,
                urlPolicy: RepositoryURLPolicy(allowLocal: services.configuration.allowLocalRepositories), launcher: services.launcher,
                repositories: services.connectedRepositories, hosts: ForgeHosts(configuration: services.configuration),
                uploads: services.uploads,
                eventKeepAlive: .milliseconds(services.configuration.logSettings.eventKeepAliveMillis)
            ).endpoints,
            atPath: "pipelines"
        )
    }
    router.addRoutes(DocsController(site: docs).endpoints, atPath: "/docs")
    router.addRoutes(BadgeController(badges: SQLRepositoryBadgeRepository(database: services.database)).endpoints, atPath: "/badge")
    return router
}
