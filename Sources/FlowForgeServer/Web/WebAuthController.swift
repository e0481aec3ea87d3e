import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// The sign-in, sign-up and sign-out pages (`/auth/login`, `/auth/register`, `POST /auth/logout`). The
/// accounts themselves are `AuthController`'s: the same validation, password hashing and sign-in throttle.
struct WebAuthController {
    let services: AppServices
    let sessions: WebSessions

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("login", use: loginPage)
            .post("login", use: login)
            .get("register", use: registerPage)
            .post("register", use: register)
            .post("logout", use: logout)
    }

    private var accounts: AuthController { AuthController(services: services) }

    @Sendable func loginPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let next = SafeRedirect.path(request.uri.queryParameters["next"].map(String.init))
        if context.web.user != nil { throw WebRedirect(location: next) }
        return loginForm(context, next: next, email: "", error: nil)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.web.form
        let next = SafeRedirect.path(form["next"])
        do {
            let user = try await accounts.verifyCredentials(email: form["email"], password: form["password"], context: context)
            throw WebRedirect(location: next, cookies: [try await sessions.begin(for: user)])
        } catch let error as APIError {
            return loginForm(context, next: next, email: form["email"] ?? "", error: error)
        }
    }

    @Sendable func registerPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let plan = request.uri.queryParameters["plan"].map(String.init) ?? PlanCatalog.freePlanID
        return registerForm(context, plan: plan, email: "", error: nil)
    }

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.web.form
        let plan = form["plan"] ?? PlanCatalog.freePlanID
        let user: UserRecord
        do {
            (user, _) = try await accounts.createAccount(email: form["email"], password: form["password"], plan: plan, context: context)
        } catch let error as APIError {
            return registerForm(context, plan: plan, email: form["email"] ?? "", error: error)
        }
        let cookie = try await sessions.begin(for: user)
        guard plan != PlanCatalog.freePlanID else { throw WebRedirect(location: "/dashboard", cookies: [cookie]) }
        // pick a plan → register → pay: the account is free until Stripe reports the payment.
        guard let billing = services.billing else {
            throw WebRedirect(location: "/dashboard/billing?notice=billing_off", cookies: [cookie])
        }
        do {
            throw WebRedirect(location: try await billing.checkoutURL(for: user, planID: plan), cookies: [cookie])
        } catch let error as APIError {
            context.logger.warning("checkout at registration failed", metadata: ["user_id": "\(user.id)", "error": "\(error.message)"])
            throw WebRedirect(location: "/dashboard/billing?notice=checkout_failed", cookies: [cookie])
        }
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw WebRedirect(location: "/", cookies: [try await sessions.end(request)])
    }

    private func loginForm(_ context: AppRequestContext, next: String, email: String, error: APIError?) -> Response {
        WebPage(title: "Sign in", status: error?.status ?? .ok, content: """
            <section class="narrow card">
            <h1>Sign in</h1>
            \(errorNotice(error))
            <form method="post" action="/auth/login">
            \(csrfField(context))
            <input type="hidden" name="next" value="\(next)">
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="email" required value="\(email)" autofocus>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required>
            <button type="submit" class="button primary">Sign in</button>
            </form>
            \(forgeSignInLinks(services))
            <p>New here? <a href="/auth/register?plan=free">Create an account</a></p>
            </section>
            """).render(context)
    }

    private func registerForm(_ context: AppRequestContext, plan: String, email: String, error: APIError?) -> Response {
        let plans = services.configuration.plans.plans
        let chosen = plans.contains { $0.id == plan } ? plan : PlanCatalog.freePlanID
        let options = plans.map { item -> HTML in
            let checked: HTML = item.id == chosen ? " checked" : ""
            return """
                <label class="choice"><input type="radio" name="plan" value="\(item.id)"\(checked)>
                <span><strong>\(item.name)</strong> \(PlanText.price(item))</span></label>
                """
        }
        let billingNote: HTML = services.billing == nil
            ? "<p class=\"muted\">Billing is off on this server: every account starts on the free plan.</p>"
            : "<p class=\"muted\">A paid plan continues to secure payment with Stripe; you can change plans at any time.</p>"
        return WebPage(title: "Create your account", status: error?.status ?? .ok, content: """
            <section class="narrow card">
            <h1>Create your account</h1>
            \(errorNotice(error))
            <form method="post" action="/auth/register">
            \(csrfField(context))
            <fieldset><legend>Plan</legend>\(options)</fieldset>
            \(billingNote)
            <label for="email">Email</label>
            <input id="email" name="email" type="email" autocomplete="email" required value="\(email)">
            <label for="password">Password <span class="muted">(at least 8 characters)</span></label>
            <input id="password" name="password" type="password" autocomplete="new-password" minlength="8" required>
            <button type="submit" class="button primary">Create account</button>
            </form>
            <p>Already have an account? <a href="/auth/login">Sign in</a></p>
            </section>
            """).render(context).allowingFormsToEndOnHTTPSHosts()
    }
}

/// An API error as the notice above a form.
func errorNotice(_ error: APIError?) -> HTML {
    guard let error else { return "" }
    return "<p class=\"error\" role=\"alert\">\(error.message)</p>"
}

/// How plans read on the pages.
enum PlanText {
    static func price(_ plan: SubscriptionPlan) -> String {
        plan.priceCents == 0 ? "Free" : "$\(plan.priceCents / 100)\(plan.priceCents % 100 == 0 ? "" : String(format: ".%02d", plan.priceCents % 100)) / month"
    }

    static func limit(_ value: Int?, _ unit: String) -> String {
        guard let value else { return "Unlimited \(unit)" }
        return "\(value.formatted()) \(unit)"
    }
}
