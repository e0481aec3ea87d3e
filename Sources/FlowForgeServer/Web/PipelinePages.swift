import FlowForgeStore
import Foundation
import Hummingbird

/// `/dashboard/pipelines` (filter by status and repository) and `/dashboard/pipelines/:id`, the page commit
/// statuses link to. The page's live log, cancel and restart are the v1 API's own handlers behind the session
/// (a browser's EventSource cannot send an API key), so the page and the API cannot drift apart.
struct PipelinePages {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        let api = services.pipelineController
        return RouteCollection(context: AppRequestContext.self)
            .get(use: list)
            .get(":id", use: show)
            .get(":id/events", use: api.events)
            .get(":id/logs", use: api.showLogs)
            .get(":id/artifacts/**", use: api.downloadArtifact)
            .post(":id/cancel", use: cancel)
            .post(":id/restart", use: restart)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let userID = try context.requireUser()
        let query = request.uri.queryParameters
        let status = query["status"].flatMap { PipelineStatus(rawValue: String($0)) }
        let repositories = try await services.connectedRepositories.list(userID: userID)
        let repositoryID = query["repository"].map(String.init).flatMap { id in repositories.contains { $0.id == id } ? id : nil }
        let cursor = query["cursor"].map(String.init).flatMap { PipelineCursor(encoded: $0) == nil ? nil : $0 }
        let page = try await SQLPipelineRepository(database: services.database)
            .list(userID: userID, status: status, repositoryID: repositoryID, limit: 25, cursor: cursor)

        let statusOptions = ([nil] + PipelineStatus.allCases).map { option -> HTML in
            let selected: HTML = option == status ? " selected" : ""
            return "<option value=\"\(option?.rawValue ?? "")\"\(selected)>\(option?.rawValue ?? "any status")</option>"
        }
        let repositoryOptions = ([nil] + repositories.map { Optional($0) }).map { option -> HTML in
            let selected: HTML = option?.id == repositoryID ? " selected" : ""
            return "<option value=\"\(option?.id ?? "")\"\(selected)>\(option?.fullName ?? "any repository")</option>"
        }
        var nextQuery = URLComponents()
        nextQuery.queryItems = [
            status.map { URLQueryItem(name: "status", value: $0.rawValue) }, repositoryID.map { URLQueryItem(name: "repository", value: $0) },
            page.nextCursor.map { URLQueryItem(name: "cursor", value: $0) },
        ].compactMap { $0 }
        let more: HTML? = page.nextCursor == nil ? nil : "<p><a href=\"/dashboard/pipelines?\(nextQuery.percentEncodedQuery ?? "")\">Older pipelines</a></p>"
        return WebPage(title: "Pipelines", section: "pipelines", content: """
            <h1>Pipelines</h1>
            <form class="filters" method="get" action="/dashboard/pipelines" role="search" aria-label="Filter pipelines">
            <div><label for="filter-status">Status</label><select id="filter-status" name="status">\(statusOptions)</select></div>
            <div><label for="filter-repository">Repository</label><select id="filter-repository" name="repository">\(repositoryOptions)</select></div>
            <button type="submit" class="button">Filter</button></form>
            \(WebFragments.pipelinesTable(page.pipelines))
            \(more)
            """).render(context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let pipeline = try await services.pipelineController.find(context)
        let steps = try await services.pipelines.steps(pipelineID: pipeline.id)
        let finished = pipeline.status.isFinished
        let stepItems = steps.map { step -> HTML in
            """
            <li data-step="\(step.name)"><span>\(step.name)</span>
            <span>\(WebFragments.status(step.status.rawValue)) <span class="duration muted">\(WebFragments.duration(from: step.startedAt, to: step.finishedAt))</span></span></li>
            """
        }
        let stepList: HTML = """
            \(steps.isEmpty ? HTML("<p class=\"muted\" id=\"no-steps\">The steps appear once the pipeline's flowforge.yml has been read.</p>") : "")
            <ol class="steps" id="steps">\(stepItems)</ol>
            """
        let cancelHidden: HTML = finished ? " hidden" : ""
        let restartHidden: HTML = finished ? "" : " hidden"
        let commit: HTML = pipeline.commitSHA.map { "<code>\(String($0.prefix(12)))</code>" } ?? "<span class=\"muted\">not resolved yet</span>"
        let error: HTML? = pipeline.error.map { "<p class=\"error\">\($0)</p>" }
        let artifacts = try await artifactsSection(request, context: context, pipelineID: pipeline.id, finished: finished)
        return WebPage(title: "Pipeline \(pipeline.id.prefix(8))", section: "pipelines", scripts: ["/assets/pipeline.js"], content: """
            <p><a href="/dashboard/pipelines">← Pipelines</a></p>
            <h1>\(pipeline.name ?? "ci") <span class="muted">#\(pipeline.id.prefix(8))</span> \(WebFragments.status(pipeline.status.rawValue, id: "pipeline-status"))</h1>
            <dl class="grid">
            <div><dt>Repository</dt><dd>\(WebFragments.repository(pipeline))</dd></div>
            <div><dt>Branch</dt><dd>\(pipeline.branch)</dd></div>
            <div><dt>Commit</dt><dd>\(commit)\(pipeline.commitMessage.map { HTML(" \($0)") })</dd></div>
            <div><dt>Created</dt><dd>\(WebFragments.time(pipeline.createdAt))</dd></div>
            </dl>
            \(error)
            <div class="actions">
            <form class="inline" method="post" action="/dashboard/pipelines/\(pipeline.id)/cancel" data-while-running\(cancelHidden)>\(csrfField(context))
            <button type="submit" class="button danger" id="cancel">Cancel pipeline</button></form>
            <form class="inline" method="post" action="/dashboard/pipelines/\(pipeline.id)/restart" data-when-ended\(restartHidden)>\(csrfField(context))
            <button type="submit" class="button" id="restart">Restart</button></form>
            <a class="button" href="/dashboard/pipelines/\(pipeline.id)/logs">Raw log</a>
            </div>
            <section aria-labelledby="steps-title"><h2 id="steps-title">Steps</h2>\(stepList)</section>
            <section aria-labelledby="log-title"><h2 id="log-title">Log</h2>
            <pre class="log" id="log" data-events="/dashboard/pipelines/\(pipeline.id)/events" aria-live="off"><span class="line muted">Loading the log… (needs JavaScript; the raw log works without it)</span></pre>
            </section>
            \(artifacts)
            """).render(context)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        do {
            _ = try await services.pipelineController.cancel(request, context: context)
        } catch let error as APIError where error.code == "pipeline_finished" {
            // It ended meanwhile: the page shows how.
        }
        throw WebRedirect(location: "/dashboard/pipelines/\(id)")
    }

    @Sendable func restart(_ request: Request, context: AppRequestContext) async throws -> Response {
        let restarted = try await services.pipelineController.restart(request, context: context)
        throw WebRedirect(location: "/dashboard/pipelines/\(restarted.responseGenerator.id)")
    }
}
