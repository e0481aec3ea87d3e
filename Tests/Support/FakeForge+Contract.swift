import Foundation

/// The published contracts of the three commit status APIs, checked on every request the fake receives,
/// so a test fails when FlowForge sends something a real forge would refuse.
enum FakeForgeContract {
    /// Which API a path belongs to.
    static func api(method: String, path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard method == "POST" else { return nil }
        // /repos/{owner}/{repo}/statuses/{sha}
        if parts.count == 6, parts[1] == "repos", parts[4] == "statuses" { return "github" }
        // /api/v4/projects/{id}/statuses/{sha}
        if parts.count == 7, parts[1] == "api", parts[2] == "v4", parts[3] == "projects", parts[5] == "statuses" { return "gitlab" }
        // /2.0/repositories/{workspace}/{slug}/commit/{sha}/statuses/build
        if parts.count == 9, parts[1] == "2.0", parts[2] == "repositories", parts[5] == "commit", parts[7] == "statuses", parts[8] == "build" {
            return "bitbucket"
        }
        // /app/installations/{id}/access_tokens
        if parts.count == 5, parts[1] == "app", parts[2] == "installations", parts[4] == "access_tokens" { return "app" }
        return nil
    }

    /// What is wrong with a status request; empty when it follows the contract.
    static func violations(api: String, headers: [String: String], json: [String: Any]?) -> [String] {
        var problems: [String] = []
        if (headers["authorization"] ?? "").isEmpty { problems.append("no Authorization header") }
        if headers["content-type"]?.hasPrefix("application/json") != true { problems.append("content-type is not JSON") }
        guard let json else { return problems + ["body is not a JSON object"] }
        let state = json["state"] as? String ?? "<none>"
        switch api {
        case "github":
            if !["pending", "success", "failure", "error"].contains(state) { problems.append("GitHub state \(state)") }
            if let text = json["description"] as? String, text.count > 140 { problems.append("description over 140 characters") }
            if (json["context"] as? String ?? "").isEmpty { problems.append("no context") }
        case "gitlab":
            if !["pending", "running", "success", "failed", "canceled", "skipped"].contains(state) { problems.append("GitLab state \(state)") }
            for field in ["name", "description", "target_url"] {
                if let text = json[field] as? String, text.count > 255 { problems.append("\(field) over 255 characters") }
            }
        case "bitbucket":
            if !["INPROGRESS", "SUCCESSFUL", "FAILED", "STOPPED"].contains(state) { problems.append("Bitbucket state \(state)") }
            let key = json["key"] as? String ?? ""
            if key.isEmpty || key.count > 40 { problems.append("key empty or over 40 characters") }
            if (json["url"] as? String ?? "").isEmpty { problems.append("no url") }
        default:
            break
        }
        return problems
    }
}
