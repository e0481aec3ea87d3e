import Foundation

/// One request the fake forge received, as it arrived.
public struct FakeForgeRequest: Sendable, CustomStringConvertible {
    public var method: String
    /// The path as sent (percent-encoding kept), without the query.
    public var path: String
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Which forge API the path belongs to (`github`, `gitlab`, `bitbucket`), or `app` for the GitHub App
    /// token endpoint, or nil for anything else.
    public var api: String?
    /// The status code the fake answered.
    public var answered: Int
    /// What was wrong with the request against the forge's published contract; empty when it was fine.
    public var violations: [String]

    /// The body as a JSON object, if it is one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The status state in the forge's own words (`pending`, `failed`, `SUCCESSFUL`, …).
    public var state: String? { json?["state"] as? String }

    /// The commit the status is for, read from the path.
    public var sha: String? {
        let parts = path.split(separator: "/").map(String.init)
        switch api {
        case "github", "gitlab": return parts.last
        case "bitbucket": return parts.count >= 3 ? parts[parts.count - 3] : nil
        default: return nil
        }
    }

    /// The status's name on its forge: GitHub `context`, GitLab `name`, Bitbucket `name` (its `key` is derived).
    public var context: String? {
        api == "github" ? json?["context"] as? String : json?["name"] as? String
    }

    /// The link back to the pipeline: GitHub/GitLab `target_url`, Bitbucket `url`.
    public var targetURL: String? {
        api == "bitbucket" ? json?["url"] as? String : json?["target_url"] as? String
    }

    public var description: String {
        "\(method) \(path) → \(answered) \(String(decoding: body, as: UTF8.self))"
            + (violations.isEmpty ? "" : " violations: \(violations)")
    }
}
