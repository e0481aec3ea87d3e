import Foundation
@testable import FlowForgeForges

/// The published webhook payloads kept beside the repository (`<repo>/../shared/fixtures/webhooks`),
/// or under `FLOWFORGE_FIXTURES` when the repository is checked out elsewhere.
enum Fixtures {
    static let secret = "flowforge-test-secret"

    static let directory: URL = {
        let repositoryRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // FlowForgeForgesTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent()
        let besideRepository = repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/webhooks")
        if FileManager.default.fileExists(atPath: besideRepository.path) {
            return besideRepository
        }
        if let configured = ProcessInfo.processInfo.environment["FLOWFORGE_FIXTURES"] {
            let url = URL(fileURLWithPath: configured)
            let nested = url.appendingPathComponent("webhooks")
            return FileManager.default.fileExists(atPath: nested.path) ? nested : url
        }
        return besideRepository
    }()

    /// The fixture's bytes exactly as stored, e.g. `body("github/ping.json")`.
    static func body(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A delivery of `name` as the forge would send it: event header, delivery id and signature.
    static func request(_ name: String, forge: any Forge, event: String, secret: String = secret) throws -> WebhookRequest {
        try signed(body(name), forge: forge, event: event, secret: secret)
    }

    static func signed(_ body: [UInt8], forge: any Forge, event: String, secret: String = secret) -> WebhookRequest {
        let signature = WebhookSignature.sha256Header(body: body, secret: secret)
        let headers: [String: String]
        switch forge.name {
        case "github":
            headers = ["X-GitHub-Event": event, "X-GitHub-Delivery": "gh-delivery-1", "X-Hub-Signature-256": signature]
        case "gitlab":
            headers = ["X-Gitlab-Event": event, "X-Gitlab-Event-UUID": "gl-delivery-1", "X-Gitlab-Token": secret]
        case "bitbucket":
            headers = ["X-Event-Key": event, "X-Request-UUID": "bb-delivery-1", "X-Hub-Signature": signature]
        default:
            headers = ["X-FlowForge-Event": event, "X-FlowForge-Delivery": "git-delivery-1", "X-FlowForge-Signature": signature]
        }
        return WebhookRequest(headers: headers, body: body)
    }

    /// Every stored fixture with the forge and event header that delivers it.
    static let all: [FixtureCase] = [
        FixtureCase("github/push.json", GitHubForge(), "push"),
        FixtureCase("github/push.with-new-branch.json", GitHubForge(), "push"),
        FixtureCase("github/ping.json", GitHubForge(), "ping"),
        FixtureCase("github/pull_request.opened.json", GitHubForge(), "pull_request"),
        FixtureCase("github/pull_request.synchronize.json", GitHubForge(), "pull_request"),
        FixtureCase("github/installation.created.json", GitHubForge(), "installation"),
        FixtureCase("github/installation_repositories.added.json", GitHubForge(), "installation_repositories"),
        FixtureCase("gitlab/push-event.json", GitLabForge(), "Push Hook"),
        FixtureCase("gitlab/tag-event.json", GitLabForge(), "Tag Push Hook"),
        FixtureCase("gitlab/merge-request-event.json", GitLabForge(), "Merge Request Hook"),
        FixtureCase("bitbucket/repo-push.json", BitbucketForge(), "repo:push"),
        FixtureCase("bitbucket/pull-request-created.json", BitbucketForge(), "pullrequest:created"),
        FixtureCase("bitbucket/pull-request-updated.json", BitbucketForge(), "pullrequest:updated"),
    ]
}

/// One stored delivery: its file, the forge that sends it and the event header it comes with.
struct FixtureCase: Sendable, CustomStringConvertible {
    var name: String
    var forge: any Forge
    var event: String

    init(_ name: String, _ forge: any Forge, _ event: String) {
        self.name = name
        self.forge = forge
        self.event = event
    }

    var description: String { name }

    func request(secret: String = Fixtures.secret) throws -> WebhookRequest {
        try Fixtures.request(name, forge: forge, event: event, secret: secret)
    }
}

extension WebhookOutcome {
    /// The trigger inside, or nil, so tests can `#require` it.
    var trigger: Trigger? {
        if case let .trigger(trigger) = self { return trigger }
        return nil
    }
}
