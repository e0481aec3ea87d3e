import FlowForgeStore
import Testing
@testable import FlowForgeForges
@testable import FlowForgeServer

/// Which URL a webhook's pipeline clones: the connected one, except a fork's pull request on the same host.
@Suite("webhook clone URLs")
struct WebhookCloneURLTests {
    let repository = ConnectedRepository(
        id: "r", userID: "u", provider: "github", fullName: "octo/app", cloneURL: "https://github.com/octo/app.git",
        webhookSecretSealed: "", accessTokenSealed: nil, createdAt: 0
    )

    func trigger(_ event: String, _ cloneURL: String) -> Trigger {
        Trigger(provider: "github", repositoryFullName: "octo/app", cloneURL: cloneURL, event: event, branch: "b", commitSHA: "1")
    }

    @Test(arguments: [
        ("push", "https://github.com/someone/else.git", "https://github.com/octo/app.git"),
        ("pull_request", "https://github.com/Octo/App.git", "https://github.com/octo/app.git"),
        ("pull_request", "https://github.com/fork/app.git", "https://github.com/fork/app.git"),
        ("pull_request", "https://evil.example/fork/app.git", "https://github.com/octo/app.git"),
        ("pull_request", "http://github.com/fork/app.git", "https://github.com/octo/app.git"),
        ("pull_request", "https://user:pw@github.com/fork/app.git", "https://github.com/octo/app.git"),
    ])
    func chosenURL(event: String, triggerURL: String, expected: String) {
        #expect(WebhookController.cloneURL(for: trigger(event, triggerURL), repository: repository) == expected)
    }
}
