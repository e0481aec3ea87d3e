import FlowForgeStore
import Foundation
import Hummingbird

/// `/dashboard/settings`: the profile, a password change (which ends every session of the account, in every
/// browser and every API client, and starts a new one here), connected forge accounts, and secrets, which
/// can be written and deleted but never read back.
struct SettingsPage {
    let services: AppServices
    let sessions: WebSessions

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get(use: show)
            .post("password", use: changePassword)
            .post("secrets", use: addSecret)
            .post("secrets/:name/delete", use: deleteSecret)
    }

    private var secrets: SecretController { SecretController(services: services) }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let notice: String? = switch request.uri.queryParameters["notice"].map(String.init) {
        case "password": "Your password was changed. Every other session of your account has been signed out."
        case "secret": "The secret was saved. Its value cannot be shown again."
        case "secret_deleted": "The secret was deleted."
        default: nil
        }
        return try await page(context, notice: notice, error: nil)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let user = context.web.user else { throw APIError.unauthorized }
        let form = context.web.form
        do {
            let newPassword = try AccountValidation.password(form["new_password"], field: "new_password")
            // The sign-in throttle: a borrowed or stolen session must not become a way to guess the password.
            let address = RateLimitIdentities.addressKey(context.remoteAddress)
            try await services.throttle.admit(email: user.email, address: address)
            guard let current = form["current_password"],
                  try await services.passwords.verify(current, hash: user.passwordHash)
            else {
                try await services.throttle.recordFailure(email: user.email, address: address)
                context.logger.notice("wrong current password on a password change", metadata: ["user_id": "\(user.id)"])
                throw APIError(.forbidden, code: "current_password_incorrect", message: "the current password is incorrect")
            }
            try await services.throttle.recordSuccess(email: user.email, address: address)
            guard let generation = try await services.users.changePassword(
                id: user.id, passwordHash: try await services.passwords.hash(newPassword), at: Clock.nowMillis())
            else { throw APIError.unauthorized }
            context.logger.info("password changed; every session ended", metadata: ["user_id": "\(user.id)"])
            var renewed = user
            renewed.tokenGeneration = generation
            throw WebRedirect(location: "/dashboard/settings?notice=password", cookies: [try await sessions.begin(for: renewed)])
        } catch let error as APIError {
            return try await page(context, notice: nil, error: error)
        }
    }

    @Sendable func addSecret(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.web.form
        let body = SecretRequest(name: form["name"], value: form["value"], repositoryId: nil, pullRequests: form["pull_requests"] == "on")
        do {
            _ = try await secrets.store(body, userID: try context.requireUser(), context: context)
        } catch let error as APIError where error.status.code < 500 {
            return try await page(context, notice: nil, error: error)
        }
        throw WebRedirect(location: "/dashboard/settings?notice=secret")
    }

    @Sendable func deleteSecret(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await secrets.delete(request, context: context)
        throw WebRedirect(location: "/dashboard/settings?notice=secret_deleted")
    }

    private func page(_ context: AppRequestContext, notice: String?, error: APIError?) async throws -> Response {
        guard let user = context.web.user else { throw APIError.unauthorized }
        let identities = try await SQLOAuthIdentityRepository(database: services.database).list(userID: user.id)
        let identityItems = identities.map { identity -> HTML in "<li>\(identity.provider): <strong>\(identity.login)</strong></li>" }
        let configured = OAuthController.forges.filter { services.configuration.oauthClients[$0] != nil }
        let forgeAccounts: HTML = identities.isEmpty
            ? (configured.isEmpty ? "<p class=\"muted\">No forge sign-in is configured on this server.</p>" : "<p class=\"muted\">No forge account is connected.</p>")
            : "<ul>\(identityItems)</ul>"
        let list = try await services.secrets.list(userID: user.id).filter { $0.repositoryID == nil }
        let secretRows = list.map { secret -> HTML in
            """
            <tr><td><code>\(secret.name)</code></td><td>\(secret.pullRequests ? "yes" : "no")</td><td>\(WebFragments.time(secret.updatedAt))</td>
            <td><form class="inline" method="post" action="/dashboard/settings/secrets/\(secret.name)/delete">\(csrfField(context))
            <button type="submit" class="button danger" aria-label="Delete secret \(secret.name)">Delete</button></form></td></tr>
            """
        }
        let secretTable: HTML = list.isEmpty ? "<p class=\"muted\">No account secrets.</p>" : """
            <div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Pull requests</th><th scope="col">Updated</th>
            <th scope="col"><span class="muted">Actions</span></th></tr></thead><tbody>\(secretRows)</tbody></table></div>
            """
        let noticeHTML: HTML? = notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" }
        return WebPage(title: "Settings", status: error?.status ?? .ok, section: "settings", content: """
            <h1>Settings</h1>
            \(noticeHTML)\(errorNotice(error))
            <div class="grid">
            <section class="card" aria-labelledby="profile-title"><h2 id="profile-title">Profile</h2>
            <p>Email: <strong>\(user.email)</strong></p><p>Member since \(WebFragments.time(user.createdAt))</p></section>
            <section class="card" aria-labelledby="forges-title"><h2 id="forges-title">Connected forge accounts</h2>\(forgeAccounts)</section>
            </div>
            <section class="card" aria-labelledby="password-title"><h2 id="password-title">Change password</h2>
            <form method="post" action="/dashboard/settings/password">\(csrfField(context))
            <label for="current_password">Current password</label>
            <input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
            <label for="new_password">New password <span class="muted">(at least 8 characters)</span></label>
            <input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="8" required>
            <button type="submit" class="button primary">Change password</button></form>
            <p class="muted">This signs out every other browser and API session of your account.</p></section>
            <section class="card" aria-labelledby="secrets-title"><h2 id="secrets-title">Secrets</h2>
            <p class="muted">Values are write-only: steps receive them through <code>from_secret</code>, nobody can read them back here.</p>
            \(secretTable)
            <form method="post" action="/dashboard/settings/secrets">\(csrfField(context))
            <label for="secret-name">Name</label><input id="secret-name" name="name" type="text" required placeholder="docker_password">
            <label for="secret-value">Value</label><input id="secret-value" name="value" type="password" autocomplete="off" required>
            <label class="choice"><input type="checkbox" name="pull_requests"> Also for pull requests from forks</label>
            <button type="submit" class="button primary">Add secret</button></form></section>
            """).render(context)
    }
}
