import FlowForgeCore
import FlowForgeStore
import Foundation

/// Looks up, right before a run, the values of the secrets a plan names (`from_secret`,
/// `image_pull_secret`), for the backend's `RunRequest.secrets`. The plan itself carries names only.
///
/// A repository's secret shadows the account's of the same name. A pipeline of a pull request from a fork
/// gets a secret only when it was created with `pull_requests: true`: the fork's code is a stranger's.
struct PipelineSecrets: Sendable {
    let secrets: any SecretRepository
    let box: SecretBox

    /// Why the pipeline cannot run with its secrets, in words for the pipeline's `error`.
    struct Problem: Error, Equatable {
        let text: String
    }

    /// Secret name → value for every secret the plan names; a `Problem` naming each secret that is missing,
    /// withheld from a fork or unreadable. Nothing is looked up for a plan that names none.
    func values(for plan: Plan, of pipeline: PipelineRecord) async throws -> Swift.Result<[String: String], Problem> {
        let names = plan.secretNames
        guard !names.isEmpty else { return .success([:]) }
        var byName: [String: UserSecret] = [:]
        for secret in try await secrets.visible(userID: pipeline.userID, repositoryID: pipeline.repositoryID) {
            // The repository's own secret wins over the account's.
            if byName[secret.name]?.repositoryID == nil || secret.repositoryID != nil { byName[secret.name] = secret }
        }
        var values: [String: String] = [:]
        var missing: [String] = []
        var withheld: [String] = []
        for name in names.sorted() {
            guard let secret = byName[name] else {
                missing.append(name)
                continue
            }
            if pipeline.fork && !secret.pullRequests {
                withheld.append(name)
                continue
            }
            do {
                values[name] = try secret.value(box)
            } catch {
                return .failure(Problem(text: "the secret `\(name)` cannot be opened: \(error); create it again (DELETE, then POST /api/user/secrets)"))
            }
        }
        if !missing.isEmpty {
            let scope = pipeline.repositoryID == nil ? "your account" : "this repository or your account"
            return .failure(Problem(text: """
                \(Self.list(missing, plan: plan)) \(missing.count == 1 ? "does" : "do") not exist for \(scope); create \
                \(missing.count == 1 ? "it" : "them") with POST /api/user/secrets {"name", "value"} or remove the reference from flowforge.yml
                """))
        }
        if !withheld.isEmpty {
            return .failure(Problem(text: """
                \(Self.list(withheld, plan: plan)) \(withheld.count == 1 ? "is" : "are") not given to pipelines of pull \
                requests from forks, whose code is not the repository's own; create \(withheld.count == 1 ? "it" : "them") \
                with "pull_requests": true to allow that, or run the pipeline from a branch of the repository
                """))
        }
        let pulls = plan.steps.map { ($0.imagePullSecret, "step `\($0.name)`") } + plan.services.map { ($0.imagePullSecret, "service `\($0.name)`") }
        for case let (name?, user) in pulls {
            if let value = values[name], !Self.isAuthDocument(value) {
                return .failure(Problem(text: """
                    the secret `\(name)` (image_pull_secret of \(user)) is not a Docker registry auth JSON \
                    object; store one like {"username": "…", "password": "…", "serveraddress": "registry.example.com"}
                    """))
            }
        }
        return .success(values)
    }

    /// "the secret `a` (step `build`)" or "the secrets `a` (step `build`) and `b` (steps `x`, `y`)".
    static func list(_ names: [String], plan: Plan) -> String {
        let described = names.map { name in
            let steps = plan.steps.filter { $0.secrets.values.contains(name) || $0.imagePullSecret == name }.map { "`\($0.name)`" }
            let services = plan.services.filter { $0.secrets.values.contains(name) || $0.imagePullSecret == name }.map { "`\($0.name)`" }
            var users: [String] = []
            if !steps.isEmpty { users.append("\(steps.count == 1 ? "step" : "steps") \(steps.joined(separator: ", "))") }
            if !services.isEmpty { users.append("\(services.count == 1 ? "service" : "services") \(services.joined(separator: ", "))") }
            return "`\(name)` (\(users.joined(separator: "; ")))"
        }
        let joined = described.count == 1 ? described[0] : described.dropLast().joined(separator: ", ") + " and " + described.last!
        return (names.count == 1 ? "the secret " : "the secrets ") + joined
    }

    /// The Engine API's AuthConfig is a JSON object; anything else would only fail later at the registry.
    static func isAuthDocument(_ value: String) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(value.utf8))) is [String: Any]
    }
}
