import Crypto
import FlowForgeStore
import Foundation
import Hummingbird

/// `/api/user/repositories`: connect a forge repository (its webhook secret is shown once), list, show
/// and disconnect. Another account's repository is a 404, never a 403, so ids reveal nothing.
///
/// A forge repository (GitHub, GitLab, Bitbucket) is connected only with proof that this account may read
/// it: an access token the forge confirms with one API call, or (GitHub) an App installation linked to the
/// account that reaches it, within which GitHub lists the repository for the user's own GitHub sign-in. It is always cloned from the forge's own host. Several accounts may connect one
/// name, each with its own webhook secret, so a name taken by one account never blocks its real owner.
struct RepositoryController {
    let repositories: any ConnectedRepositoryRepository
    let installations: any GitHubInstallationRepository
    let secretBox: SecretBox
    let urlPolicy: RepositoryURLPolicy
    let hosts: ForgeHosts
    let verifier: ForgeAccessVerifier
    let apiBaseURL: String
    /// For connecting through a linked App installation: the account's GitHub sign-in, and GitHub's answer
    /// (with that sign-in) whether the user may read the repository within the installation.
    let identities: any OAuthIdentityRepository
    let userInstallations: GitHubUserInstallations
    /// The badge settings of `PATCH …/:id` (`public_badge`, `default_branch`).
    let badges: any RepositoryBadgeRepository

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .post(use: create)
            .get(use: list)
            .get(":id", use: show)
            .delete(":id", use: delete)
            .patch(":id", use: update)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RepositoryView> {
        let userID = try context.requireUser()
        let body = try await request.decodeJSON(RepositoryRequest.self, context: context)
        let provider = try body.validProvider()
        let fullName = RepositoryName.key(try body.validFullName(provider: provider), provider: provider)
        let cloneURL = try await checkedCloneURL(body.cloneUrl, provider: provider, fullName: fullName)
        let accessToken = try body.validAccessToken()
        let verifiedAt = try await provenAccess(provider: provider, fullName: fullName, token: accessToken, userID: userID, context: context)

        let id = UUID().uuidString.lowercased()
        // Hex keeps the secret easy to paste into forms and shell configuration.
        let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.hexString
        let record = ConnectedRepository(
            id: id, userID: userID, provider: provider, fullName: fullName, cloneURL: cloneURL,
            webhookSecretSealed: try secretBox.seal(secret, purpose: ConnectedRepository.webhookSecretPurpose(id: id)),
            accessTokenSealed: try accessToken.map { try secretBox.seal($0, purpose: ConnectedRepository.accessTokenPurpose(id: id)) },
            createdAt: Clock.nowMillis(), accessVerifiedAt: verifiedAt
        )
        do {
            try await repositories.create(record)
        } catch StoreError.conflict {
            throw APIError(.conflict, code: "repository_exists", message: "\(provider) repository \(fullName) is already connected to your account; use the existing connection, or disconnect it first")
        }
        context.logger.info("repository connected", metadata: ["repository_id": "\(id)", "provider": "\(provider)"])
        return EditedResponse(status: .created, response: RepositoryView(record, apiBaseURL: apiBaseURL, cloneURL: hosts.cloneURL(for: record), webhookSecret: secret))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> RepositoryListView {
        let records = try await repositories.list(userID: try context.requireUser())
        return RepositoryListView(repositories: records.map { RepositoryView($0, apiBaseURL: apiBaseURL, cloneURL: hosts.cloneURL(for: $0)) })
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> RepositoryView {
        let id = try context.parameters.require("id")
        guard let record = try await repositories.find(id: id, userID: try context.requireUser()) else {
            throw APIError.notFound("repository \(id)")
        }
        return RepositoryView(record, apiBaseURL: apiBaseURL, cloneURL: hosts.cloneURL(for: record))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let id = try context.parameters.require("id")
        guard try await repositories.delete(id: id, userID: try context.requireUser()) else {
            throw APIError.notFound("repository \(id)")
        }
        context.logger.info("repository disconnected", metadata: ["repository_id": "\(id)"])
        return .noContent
    }

    /// The forge's own URL for forge repositories (a `clone_url` is refused: credentials for the forge
    /// must never go to another host); one the user gives for a generic git server goes through the same
    /// policy as a pipeline's `repo_url` (no credentials in it, no private addresses on a hosted service).
    private func checkedCloneURL(_ given: String?, provider: String, fullName: String) async throws -> String {
        let given = given?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if let forgeURL = hosts.cloneURL(provider: provider, fullName: fullName) {
            guard given.isEmpty else {
                throw APIError.validation("clone_url", "is only for generic git servers (provider git); a \(provider) repository is always cloned from \(provider)'s own host (\(forgeURL)), so leave clone_url out")
            }
            return forgeURL
        }
        guard !given.isEmpty else {
            throw APIError.validation("clone_url", "is required for generic git servers: the URL FlowForge clones from, e.g. https://git.example.com/team/app.git")
        }
        do {
            return try await urlPolicy.check(given)
        } catch let error as APIError where error.message.hasPrefix("repo_url") {
            throw APIError(error.status, code: error.code, message: "clone_url" + error.message.dropFirst("repo_url".count))
        }
    }

    /// When the forge confirmed that this account may read the repository: now, after the access token
    /// passed the forge's check, or after finding a GitHub App installation linked to the account that
    /// reaches it and GitHub listing the repository for the user's own GitHub sign-in within it. Nil for generic git servers (nothing to ask). Throws a 422 that says what proof is
    /// missing, or a 502 when the forge could not be asked.
    private func provenAccess(provider: String, fullName: String, token: String?, userID: String, context: AppRequestContext) async throws -> Int64? {
        guard ForgeHosts.forgeProviders.contains(provider) else { return nil }
        if let token {
            switch await verifier.check(provider: provider, fullName: fullName, token: token, logger: context.logger) {
            case .readable:
                return Clock.nowMillis()
            case .refused(let status):
                throw APIError(.unprocessableContent, code: "repository_access_unconfirmed",
                               message: "\(provider) did not confirm that access_token can read \(fullName) (HTTP \(status)); use a token of an account that can read the repository")
            case .unavailable(let reason):
                context.logger.warning("could not ask the forge about a repository", metadata: ["provider": "\(provider)", "reason": "\(reason)"])
                throw APIError(.badGateway, code: "forge_unavailable",
                               message: "could not ask \(provider) whether access_token can read \(fullName) (\(reason)); try again later")
            }
        }
        if provider == "github", let installation = try await installations.installationID(forRepository: fullName, linkedTo: userID) {
            return try await provenThroughInstallation(installation, fullName: fullName, userID: userID, context: context)
        }
        let how = provider == "github"
            ? "a GitHub token that can read it, or install the FlowForge GitHub App on it and link the installation to your account (POST /api/user/github/install)"
            : "a \(provider) token that can read it"
        throw APIError.validation("access_token", "is required to connect a \(provider) repository: FlowForge asks \(provider) to confirm you can read \(fullName); send \(how)")
    }

    /// A linked installation covers the repository, but that alone proves nothing about this user: its
    /// token reads every repository it covers, and whoever linked it may only be a collaborator on one of
    /// them. So GitHub must list the repository for the user's own GitHub sign-in within the installation.
    private func provenThroughInstallation(_ installation: Int64, fullName: String, userID: String, context: AppRequestContext) async throws -> Int64 {
        let retry = "connect your GitHub account (POST /api/user/oauth/github/authorize), or send an access_token that can read \(fullName)"
        guard let identity = try await identities.list(userID: userID).first(where: { $0.provider == "github" }),
              let token = try? secretBox.open(identity.accessTokenSealed, purpose: "oauth_identities:github:\(identity.providerUserID):access")
        else {
            throw APIError(.unprocessableContent, code: "repository_access_unconfirmed",
                           message: "FlowForge must confirm with GitHub that you can read \(fullName) before connecting it through installation \(installation): \(retry)")
        }
        switch await userInstallations.check(repository: fullName, installationID: installation, userToken: token, logger: context.logger) {
        case .accessible:
            return Clock.nowMillis()
        case .notAccessible:
            context.logger.notice("repository not readable by the user within the installation; not connected", metadata: ["installation_id": "\(installation)", "user_id": "\(userID)"])
            throw APIError(.unprocessableContent, code: "repository_access_unconfirmed",
                           message: "GitHub does not list \(fullName) among the repositories of installation \(installation) that your GitHub account (\(identity.login)) can read; ask an owner of the repository for access, or send an access_token that can read it")
        case .tokenRefused:
            throw APIError(.unprocessableContent, code: "repository_access_unconfirmed",
                           message: "GitHub refused your saved GitHub sign-in; \(retry)")
        case .unavailable(let reason):
            context.logger.warning("could not ask GitHub about a repository in an installation", metadata: ["installation_id": "\(installation)", "reason": "\(reason)"])
            throw APIError(.badGateway, code: "forge_unavailable",
                           message: "could not ask GitHub whether you can read \(fullName) (\(reason)); try again later")
        }
    }
}
