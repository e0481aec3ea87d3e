import FlowForgeStore
import Foundation

extension StatusSender {
    /// The `Authorization` header value of a send, and the App installation it came from, if any.
    struct Authorization: Sendable {
        var header: String
        var installationID: Int64?
    }

    enum AuthorizationResult: Sendable {
        case success(Authorization)
        case failure(StatusSendOutcome)
    }

    /// GitHub: an App installation token when an installation reaches the repository and the App is
    /// configured; otherwise (and for GitLab and Bitbucket) the repository's own token. Bitbucket app
    /// passwords (`user:password`) go as Basic auth, every other token as Bearer.
    func authorization(for target: StatusRepositoryTarget) async -> AuthorizationResult {
        if target.provider == "github", let installation = target.gitHubInstallationID, let tokens = installationTokens {
            do {
                let token = try await tokens.token(installationID: installation)
                return .success(Authorization(header: "Bearer \(token)", installationID: installation))
            } catch let GitHubAppError.tokenRefused(_, status, message) where status == 429 || status >= 500 {
                return .failure(.retry(notBefore: nil, reason: "GitHub could not issue an installation token (HTTP \(status): \(message))"))
            } catch let error as GitHubAppError {
                return .failure(.rejected(reason: error.description))
            } catch {
                return .failure(.retry(notBefore: nil, reason: "could not reach GitHub for an installation token: \(error)"))
            }
        }
        guard let sealed = target.accessTokenEncrypted else {
            return .failure(.rejected(reason: Self.missingCredentials(target.provider)))
        }
        let token: String
        do {
            token = try secretBox.open(sealed, purpose: ConnectedRepository.accessTokenPurpose(id: target.id))
        } catch {
            return .failure(.rejected(reason: "\(error)"))
        }
        if target.provider == "bitbucket", token.contains(":") {
            return .success(Authorization(header: "Basic \(Data(token.utf8).base64EncodedString())", installationID: nil))
        }
        return .success(Authorization(header: "Bearer \(token)", installationID: nil))
    }

    static func missingCredentials(_ provider: String) -> String {
        provider == "github"
            ? "the repository has no access token and no GitHub App installation reaches it; install the GitHub App on it, or connect it again with an access token that may write commit statuses"
            : "the repository has no access token; connect it again with a \(provider) token that may write commit statuses"
    }
}
