import FlowForgeStore
import Hummingbird

/// `/dashboard/api-keys`: create (the key is shown once, in the answer to the form, with a copy button),
/// list with last use, revoke. Keys are `APIKeyController`'s; this page only calls it.
struct APIKeysPage {
    let services: AppServices

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: list)
            .post(use: create)
            .post(":id/revoke", use: revoke)
    }

    private var keys: APIKeyController { APIKeyController(services: services) }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(context, created: nil, error: nil, notice: request.uri.queryParameters["revoked"] != nil ? "The key was revoked." : nil)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let created = try await keys.createKey(userID: try context.requireUser(), name: context.web.form["name"], context: context)
            return try await page(context, created: created, error: nil, notice: nil)
        } catch let error as APIError where error.status == .unprocessableContent {
            return try await page(context, created: nil, error: error, notice: nil)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await keys.revoke(request, context: context)
        throw WebRedirect(location: "/dashboard/api-keys?revoked=1")
    }

    private func page(_ context: AppRequestContext, created: APIKeyController.CreatedKey?, error: APIError?, notice: String?) async throws -> Response {
        let list = try await services.apiKeys.list(userID: try context.requireUser())
        let shown: HTML? = created.map { key in
            """
            <section class="card notice" aria-labelledby="new-key-title">
            <h2 id="new-key-title">Your new key “\(key.name)”</h2>
            <p>Copy it now: it is shown only this once. Send it as <code>Authorization: Bearer …</code> to the v1 API.</p>
            <p class="key" id="new-key">\(key.key)</p>
            <button type="button" class="button primary" data-copy="new-key">Copy key</button>
            <span id="new-key-status" role="status" aria-live="polite"></span>
            </section>
            """
        }
        let rows = list.map { key -> HTML in
            """
            <tr><td>\(key.name)</td><td><code>\(key.prefix)…</code></td><td>\(WebFragments.time(key.createdAt))</td>
            <td>\(WebFragments.time(key.lastUsedAt))</td>
            <td><form class="inline" method="post" action="/dashboard/api-keys/\(key.id)/revoke">\(csrfField(context))
            <button type="submit" class="button danger" aria-label="Revoke \(key.name)">Revoke</button></form></td></tr>
            """
        }
        let table: HTML = list.isEmpty ? "<p class=\"muted\">No API keys yet.</p>" : """
            <div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Key</th><th scope="col">Created</th>
            <th scope="col">Last used</th><th scope="col"><span class="muted">Actions</span></th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        let noticeHTML: HTML? = notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" }
        return WebPage(title: "API keys", status: error?.status ?? .ok, section: "api-keys", scripts: ["/assets/copy.js"], content: """
            <h1>API keys</h1>
            \(noticeHTML)
            \(shown)
            <section class="card" aria-labelledby="create-title"><h2 id="create-title">Create a key</h2>
            \(errorNotice(error))
            <form method="post" action="/dashboard/api-keys">\(csrfField(context))
            <label for="key-name">Name</label><input id="key-name" name="name" type="text" maxlength="100" required placeholder="e.g. deploy script">
            <button type="submit" class="button primary">Create key</button></form></section>
            <section aria-labelledby="keys-title"><h2 id="keys-title">Your keys</h2>\(table)</section>
            """).render(context)
    }
}
