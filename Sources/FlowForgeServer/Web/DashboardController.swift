import FlowForgeCore
import FlowForgeStore
import Foundation
import Hummingbird

/// `GET /dashboard`: the plan, this month's usage against it, six months of runs, recent pipelines and the
/// connected repositories. Usage comes from the usage API's own handler, so the page and the API agree.
struct DashboardController {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).get(use: overview)
    }

    @Sendable func overview(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.requireUser()
        let usage = try await UsageController(services: services).show(request, context: context)
        let plan = services.configuration.plans.effectivePlan(id: usage.plan)
        let recent = try await services.pipelines.list(userID: userID, status: nil, limit: 5, cursor: nil).pipelines
        let repositories = try await services.connectedRepositories.list(userID: userID)
        let repositoryItems = repositories.map { repository -> HTML in
            "<li>\(repository.fullName) <span class=\"muted\">(\(repository.provider))</span></li>"
        }
        let repositoryList: HTML = repositories.isEmpty
            ? "<p class=\"muted\">None yet. <a href=\"/dashboard/repositories\">Connect a repository</a> to build on every push.</p>"
            : "<ul>\(repositoryItems)</ul>"
        return WebPage(title: "Dashboard", section: "overview", content: """
            <h1>Dashboard</h1>
            <div class="grid">
            <section class="card" aria-labelledby="plan-title"><h2 id="plan-title">Plan</h2>
            <p class="price">\(plan.name)</p><p>\(PlanText.price(plan)) · \(plan.concurrentBuilds) concurrent \(plan.concurrentBuilds == 1 ? "build" : "builds")</p>
            <p><a href="/dashboard/billing">Change plan</a></p></section>
            <section class="card" aria-labelledby="usage-title"><h2 id="usage-title">Usage in \(usage.month)</h2>
            \(Self.meter(id: "runs", label: "Pipeline runs", used: usage.pipelineRuns, limit: usage.limits.pipelineRuns))
            \(Self.meter(id: "minutes", label: "Compute minutes", used: usage.computeMinutes, limit: usage.limits.computeMinutes))
            </section>
            </div>
            <section aria-labelledby="history-title"><h2 id="history-title">Last 6 months</h2>\(UsageChart.render(usage.history))</section>
            <section aria-labelledby="recent-title"><h2 id="recent-title">Recent pipelines</h2>\(WebFragments.pipelinesTable(recent))
            <p><a href="/dashboard/pipelines">All pipelines</a></p></section>
            <section aria-labelledby="repos-title"><h2 id="repos-title">Connected repositories</h2>\(repositoryList)</section>
            """).render(context)
    }

    static func meter(id: String, label: String, used: Int, limit: Int?) -> HTML {
        guard let limit else {
            return "<p><label for=\"meter-\(id)\">\(label)</label> <span id=\"meter-\(id)\">\(used) of unlimited</span></p>"
        }
        return """
            <p><label for="meter-\(id)">\(label): \(used) of \(limit)</label>
            <meter id="meter-\(id)" min="0" max="\(limit)" low="\(limit * 7 / 10)" high="\(limit * 9 / 10)" optimum="0" value="\(min(used, limit))">\(used) of \(limit)</meter></p>
            """
    }
}
