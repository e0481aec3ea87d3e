import Hummingbird

extension RepositoriesPage {
    /// `POST /dashboard/repositories/:id/settings` with `auto_cancel` and/or `public_badge` (`true`/`false`):
    /// the same code as `PATCH /api/user/repositories/:id`, so another account's repository is a 404 here too.
    @Sendable func updateSettings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let form = context.web.form
        let body = RepositorySettingsRequest(
            autoCancel: try Self.flag(form["auto_cancel"], name: "auto_cancel"),
            publicBadge: try Self.flag(form["public_badge"], name: "public_badge"),
            defaultBranch: nil)
        _ = try await controller.updateSettings(body, id: id, userID: try context.requireUser(), context: context)
        throw WebRedirect(location: "/dashboard/repositories#repository-\(id)")
    }

    static func flag(_ value: String?, name: String) throws -> Bool? {
        switch value {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw APIError.validation(name, "must be true or false, got \"\(value ?? "")\"")
        }
    }

    /// One repository's settings: a toggle button per setting, and the badge's Markdown once it is public.
    func settingsCell(_ repository: RepositoryView, context: AppRequestContext) -> HTML {
        let badgeURL = "\(services.configuration.apiBaseURL)/badge/\(repository.id).svg"
        let snippet: HTML? = repository.publicBadge
            ? """
              <p class="badge-snippet"><label for="badge-\(repository.id)">Badge Markdown</label>
              <code class="key" id="badge-\(repository.id)">![build](\(badgeURL)?branch=\(repository.defaultBranch ?? "main"))</code>
              <button type="button" class="button" data-copy="badge-\(repository.id)">Copy</button> <span id="badge-\(repository.id)-status" role="status"></span></p>
              """
            : nil
        return """
            \(toggle(repository, field: "auto_cancel", label: "Auto-cancel", enabled: repository.autoCancel, context: context))
            \(toggle(repository, field: "public_badge", label: "Public badge", enabled: repository.publicBadge, context: context))
            \(snippet)
            """
    }

    private func toggle(_ repository: RepositoryView, field: String, label: String, enabled: Bool, context: AppRequestContext) -> HTML {
        """
        <form class="inline" method="post" action="/dashboard/repositories/\(repository.id)/settings">\(csrfField(context))
        <input type="hidden" name="\(field)" value="\(enabled ? "false" : "true")">
        <button type="submit" class="button" data-setting="\(field)" aria-pressed="\(enabled ? "true" : "false")">\(label): \(enabled ? "on" : "off")</button></form>
        """
    }
}
