import FlowForgeStore
import Hummingbird

/// `/dashboard/repositories`: connect (webhook URL and secret shown once, with the steps for each forge),
/// install the GitHub App, disconnect, and each repository's auto-cancel and public-badge settings. The
/// connections are `RepositoryController`'s; this page only calls it.
struct RepositoriesPage {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: show)
            .post(use: connect)
            .post(":id/disconnect", use: disconnect)
            .post(":id/settings", use: updateSettings)
    }

    var controller: RepositoryController { RepositoryController(services: services) }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(context, connected: nil, error: nil)
    }

    @Sendable func connect(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.web.form
        let body = RepositoryRequest(
            provider: form["provider"], fullName: form["full_name"], cloneUrl: form["clone_url"], accessToken: form["access_token"])
        do {
            let view = try await controller.connect(body, userID: try context.requireUser(), context: context)
            return try await page(context, connected: view, error: nil)
        } catch let error as APIError where error.status.code < 500 {
            return try await page(context, connected: nil, error: error)
        }
    }

    @Sendable func disconnect(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await controller.delete(request, context: context)
        throw WebRedirect(location: "/dashboard/repositories")
    }

    private func page(_ context: AppRequestContext, connected: RepositoryView?, error: APIError?) async throws -> Response {
        let hosts = ForgeHosts(configuration: services.configuration)
        let list = try await services.connectedRepositories.list(userID: try context.requireUser()).map {
            RepositoryView($0, apiBaseURL: services.configuration.apiBaseURL, cloneURL: hosts.cloneURL(for: $0))
        }
        let shown: HTML? = connected.map { view in
            """
            <section class="card notice" aria-labelledby="connected-title"><h2 id="connected-title">Connected \(view.fullName)</h2>
            <p>Add this webhook on the forge now: the secret is shown only this once.</p>
            <p>Payload URL: <code>\(view.webhookUrl)</code></p>
            <p>Secret: <span class="key" id="webhook-secret">\(view.webhookSecret ?? "")</span>
            <button type="button" class="button" data-copy="webhook-secret">Copy secret</button> <span id="webhook-secret-status" role="status"></span></p>
            \(Self.steps(view.provider))
            </section>
            """
        }
        let rows = list.map { repository -> HTML in
            """
            <tr id="repository-\(repository.id)"><td>\(repository.fullName)</td><td>\(repository.provider)</td><td><code>\(repository.webhookUrl)</code></td>
            <td><a href="/dashboard/pipelines?repository=\(repository.id)">Pipelines</a></td>
            <td>\(settingsCell(repository, context: context))</td>
            <td><form class="inline" method="post" action="/dashboard/repositories/\(repository.id)/disconnect">\(csrfField(context))
            <button type="submit" class="button danger" aria-label="Disconnect \(repository.fullName)">Disconnect</button></form></td></tr>
            """
        }
        let table: HTML = list.isEmpty ? "<p class=\"muted\">No repositories connected yet.</p>" : """
            <div class="table-wrap"><table><thead><tr><th scope="col">Repository</th><th scope="col">Forge</th><th scope="col">Webhook URL</th>
            <th scope="col">Pipelines</th><th scope="col">Settings</th><th scope="col"><span class="muted">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        let app: HTML? = services.configuration.gitHubAppSlug == nil ? nil
            : "<p><a class=\"button\" href=\"/auth/github/install\">Install the GitHub App</a> to connect GitHub repositories without a personal token.</p>"
        return WebPage(title: "Repositories", status: error?.status ?? .ok, section: "repositories", scripts: ["/assets/copy.js"], content: """
            <h1>Repositories</h1>
            \(shown)
            <section aria-labelledby="list-title"><h2 id="list-title">Connected</h2>\(table)</section>
            <section class="card" aria-labelledby="connect-title"><h2 id="connect-title">Connect a repository</h2>
            \(errorNotice(error))
            \(app)
            <form method="post" action="/dashboard/repositories">\(csrfField(context))
            <label for="provider">Forge</label><select id="provider" name="provider">
            <option value="github">GitHub</option><option value="gitlab">GitLab</option><option value="bitbucket">Bitbucket</option><option value="git">Other git server</option></select>
            <label for="full_name">Repository (owner/name)</label><input id="full_name" name="full_name" type="text" required placeholder="octocat/hello-world">
            <label for="access_token">Access token <span class="muted">(read access; proves the repository is yours)</span></label>
            <input id="access_token" name="access_token" type="password" autocomplete="off">
            <label for="clone_url">Clone URL <span class="muted">(other git servers only)</span></label><input id="clone_url" name="clone_url" type="text">
            <button type="submit" class="button primary">Connect</button></form></section>
            """).render(context)
    }

    static func steps(_ provider: String) -> HTML {
        switch provider {
        case "github": return "<ol><li>On GitHub open the repository's Settings → Webhooks → Add webhook.</li><li>Paste the payload URL, choose content type <code>application/json</code>, paste the secret.</li><li>Pick “Just the push event” (or also pull requests) and save.</li></ol>"
        case "gitlab": return "<ol><li>In GitLab open the project's Settings → Webhooks.</li><li>Paste the URL and put the secret in “Secret token”.</li><li>Tick Push events and Merge request events, then Add webhook.</li></ol>"
        case "bitbucket": return "<ol><li>In Bitbucket open Repository settings → Webhooks → Add webhook.</li><li>Paste the URL and the secret.</li><li>Choose Repository push and Pull request triggers, then Save.</li></ol>"
        default: return "<p>Have your git server POST push events to the URL, signed with the secret (see the webhooks documentation).</p>"
        }
    }
}
