import FlowForgeCore
import FlowForgeStore
import Hummingbird

/// `/dashboard/billing`: the plan and its usage, upgrade or downgrade through Stripe Checkout, invoices and
/// payment methods through the Stripe portal; a plain explanation when billing is off on this server.
struct BillingPage {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: show)
            .post("checkout", use: checkout)
            .post("portal", use: portal)
    }

    private var controller: BillingController {
        BillingController(billing: services.billing, users: services.users, store: services.billingStore)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let usage = try await UsageController(services: services).show(request, context: context)
        let subscription = try await controller.subscription(request, context: context)
        let plan = services.configuration.plans.effectivePlan(id: subscription.plan)
        let query = request.uri.queryParameters
        var notices: [HTML] = []
        switch query["notice"].map(String.init) ?? query["checkout"].map(String.init) {
        case "billing_off": notices.append("<p class=\"notice\" role=\"status\">Your account is on the free plan: billing is off on this server, so paid plans cannot be bought here. An operator can change your plan.</p>")
        case "checkout_failed": notices.append("<p class=\"error\" role=\"alert\">The payment page could not be opened. Your account is on the free plan for now; choose the plan again below.</p>")
        case "success": notices.append("<p class=\"notice\" role=\"status\">Thanks! Your plan changes as soon as Stripe confirms the payment (usually within seconds).</p>")
        case "canceled": notices.append("<p class=\"notice\" role=\"status\">Checkout was canceled; nothing was charged.</p>")
        default: break
        }
        guard services.billing != nil else {
            return WebPage(title: "Billing", section: "billing", content: """
                <h1>Billing</h1>\(notices)
                <section class="card"><h2>Billing is off on this server</h2>
                <p>You are on the <strong>\(plan.name)</strong> plan. This FlowForge installation does not take payments
                (no Stripe keys are configured), so plans are assigned by its operator with
                <code>flowforge admin set-plan &lt;email&gt; &lt;plan&gt;</code>.</p>
                \(DashboardController.meter(id: "runs", label: "Pipeline runs", used: usage.pipelineRuns, limit: usage.limits.pipelineRuns))
                \(DashboardController.meter(id: "minutes", label: "Compute minutes", used: usage.computeMinutes, limit: usage.limits.computeMinutes))
                </section>
                """).render(context)
        }
        let paying = subscription.plan != PlanCatalog.freePlanID && subscription.status != "none"
        let choices = services.configuration.plans.plans.filter { $0.id != PlanCatalog.freePlanID }.map { option -> HTML in
            let current = option.id == subscription.plan
            let action: HTML = current ? "<p><strong>Your plan</strong></p>" : paying
                ? "<p class=\"muted\">Switch in the billing portal.</p>"
                : """
                  <form method="post" action="/dashboard/billing/checkout">\(csrfField(context))
                  <input type="hidden" name="plan" value="\(option.id)">
                  <button type="submit" class="button primary" data-plan="\(option.id)">Choose \(option.name)</button></form>
                  """
            return """
                <article class="card plan"><h3>\(option.name)</h3><p class="price">\(PlanText.price(option))</p>
                <ul><li>\(PlanText.limit(option.pipelineRuns, "runs / month"))</li><li>\(PlanText.limit(option.computeMinutes, "minutes / month"))</li></ul>
                \(action)</article>
                """
        }
        let invoices = (try? await controller.invoices(request, context: context).invoices) ?? []
        let invoiceRows = invoices.map { invoice -> HTML in
            let link: HTML = invoice.hostedInvoiceURL.map { "<a href=\"\($0)\">View</a>" } ?? ""
            return "<tr><td>\(invoice.number ?? invoice.id)</td><td>\(String(format: "%.2f", Double(invoice.amount) / 100)) \(invoice.currency.uppercased())</td><td>\(invoice.status)</td><td>\(link)</td></tr>"
        }
        let invoiceTable: HTML = invoices.isEmpty ? "<p class=\"muted\">No invoices yet.</p>" : """
            <div class="table-wrap"><table><thead><tr><th scope="col">Invoice</th><th scope="col">Amount</th><th scope="col">Status</th><th scope="col">Link</th></tr></thead>
            <tbody>\(invoiceRows)</tbody></table></div>
            """
        let statusLine: HTML = subscription.status == "none" ? "" : "<p>Subscription: \(subscription.status)\(subscription.cancelAtPeriodEnd ? " (ends at the end of the period)" : "")</p>"
        return WebPage(title: "Billing", section: "billing", content: """
            <h1>Billing</h1>\(notices)
            <div class="grid">
            <section class="card"><h2>Current plan</h2><p class="price">\(plan.name)</p>\(statusLine)</section>
            <section class="card"><h2>Usage in \(usage.month)</h2>
            \(DashboardController.meter(id: "runs", label: "Pipeline runs", used: usage.pipelineRuns, limit: usage.limits.pipelineRuns))
            \(DashboardController.meter(id: "minutes", label: "Compute minutes", used: usage.computeMinutes, limit: usage.limits.computeMinutes))
            </section></div>
            <section aria-labelledby="plans-title"><h2 id="plans-title">Plans</h2><div class="plans">\(choices)</div></section>
            <section aria-labelledby="invoices-title"><h2 id="invoices-title">Invoices and payment</h2>
            <form method="post" action="/dashboard/billing/portal">\(csrfField(context))
            <button type="submit" class="button">Manage payment, invoices and plan in Stripe</button></form>
            \(invoiceTable)</section>
            """).render(context).allowingFormsToEndOnHTTPSHosts()
    }

    @Sendable func checkout(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let billing = services.billing else { throw WebRedirect(location: "/dashboard/billing?notice=billing_off") }
        guard let user = try await services.users.find(id: try context.requireUser()) else { throw APIError.unauthorized }
        throw WebRedirect(location: try await controller.checkoutURL(billing, user: user, plan: context.web.form["plan"]))
    }

    @Sendable func portal(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw WebRedirect(location: try await controller.portal(request, context: context).url)
    }
}
