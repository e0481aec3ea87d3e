import FlowForgeCore
import Hummingbird

/// `GET /`: what FlowForge does, the API call and a `flowforge.yml` to start from, and the pricing table from
/// the plans catalog (so an operator's plans file shows its own plans).
struct LandingPage {
    let catalog: PlanCatalog
    let apiBaseURL: String

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let apiCall = """
            curl -X POST \(apiBaseURL)/api/v1/pipelines \\
              -H "Authorization: Bearer ff_your_api_key" \\
              -H "Content-Type: application/json" \\
              -d '{"repo_url": "https://github.com/you/app.git", "branch": "main"}'
            """
        let config = """
            name: ci
            steps:
              - name: test
                image: swift:6.0
                commands:
                  - swift test
              - name: lint
                image: node:20
                commands:
                  - npx eslint .
            """
        return WebPage(title: "CI/CD that starts from a push or an API call", content: """
            <section class="hero">
            <h1>Every push, built in a fresh container.</h1>
            <p class="lead">FlowForge clones your repository at the pushed commit, runs each step of your
            <code>flowforge.yml</code> in its own container, streams the logs live and posts the result back to
            GitHub, GitLab or Bitbucket. Or start a pipeline from your own tools with one API call.</p>
            <p><a class="button primary" href="/auth/register?plan=free">Start free</a>
            <a class="button" href="#pricing">See pricing</a></p>
            </section>
            <section class="features" aria-label="What you get">
            <div><h2>Ephemeral</h2><p>A clean workspace and fresh containers for every run; nothing leaks between builds.</p></div>
            <div><h2>API first</h2><p>Pipelines, logs and live events over a small REST API with API keys.</p></div>
            <div><h2>Live logs</h2><p>Follow each step as it runs, in the dashboard or from the CLI.</p></div>
            </section>
            <section class="examples">
            <div><h2>Start a pipeline</h2><pre><code>\(apiCall)</code></pre></div>
            <div><h2>flowforge.yml</h2><pre><code>\(config)</code></pre></div>
            </section>
            <section id="pricing" class="pricing" aria-labelledby="pricing-title">
            <h2 id="pricing-title">Pricing</h2>
            <div class="plans">\(catalog.plans.map(planCard))</div>
            </section>
            """).render(context)
    }

    private func planCard(_ plan: SubscriptionPlan) -> HTML {
        let free = plan.id == PlanCatalog.freePlanID
        let features = plan.features.map { feature -> HTML in "<li>\(feature)</li>" }
        return """
            <article class="plan card" aria-labelledby="plan-\(plan.id)">
            <h3 id="plan-\(plan.id)">\(plan.name)</h3>
            <p class="price">\(PlanText.price(plan))</p>
            <ul>
            <li>\(PlanText.limit(plan.pipelineRuns, "pipeline runs / month"))</li>
            <li>\(PlanText.limit(plan.computeMinutes, "compute minutes / month"))</li>
            <li>\(plan.concurrentBuilds) concurrent \(plan.concurrentBuilds == 1 ? "build" : "builds")</li>
            \(features)
            </ul>
            <a class="button\(free ? "" : " primary")" href="/auth/register?plan=\(plan.id)" data-plan="\(plan.id)">\(free ? "Start free" : "Choose plan")</a>
            </article>
            """
    }
}
