import FlowForgeStore
import Testing
@testable import FlowForgeForges
@testable import FlowForgeServer

/// Which URL a webhook's pipeline clones: a forge repository always its forge's own host (whatever the
/// delivery or an older row says); a Bitbucket fork the fork on that same host; a git repository its own URL.
@Suite("webhook clone URLs")
struct WebhookCloneURLTests {
    let hosts = ForgeHosts(
        gitHubWebURL: "https://github.example", gitLabURL: "https://gitlab.example", bitbucketWebURL: "https://bitbucket.example",
        gitHubAPIURL: "https://api.github.example", gitLabAPIURL: "https://gitlab.example", bitbucketAPIURL: "https://api.bitbucket.example"
    )

    func repository(_ provider: String, stored: String) -> ConnectedRepository {
        ConnectedRepository(
            id: "r", userID: "u", provider: provider, fullName: "octo/app", cloneURL: stored,
            webhookSecretSealed: "", accessTokenSealed: nil, createdAt: 0
        )
    }

    func trigger(_ event: String, _ cloneURL: String, fork: Bool = false, headRef: String? = nil, head: String? = nil) -> Trigger {
        var trigger = Trigger(provider: "github", repositoryFullName: "octo/app", cloneURL: cloneURL, event: event, branch: "b", commitSHA: "1")
        trigger.fork = fork
        trigger.headRef = headRef
        trigger.headRepositoryFullName = head
        return trigger
    }

    @Test(arguments: [
        ("push", "https://evil.example/x.git", false, nil as String?),
        ("pull_request", "https://github.example/fork/app.git", true, "refs/pull/7/head" as String?),
        ("pull_request", "https://evil.example/fork/app.git", true, "refs/pull/7/head" as String?),
    ])
    func gitHubAlwaysClonesTheBaseRepositoryFromItsHost(event: String, triggerURL: String, fork: Bool, headRef: String?) {
        // Even a row that stored another host (connected before clone_url was refused for forges).
        let repository = repository("github", stored: "https://evil.example/octo/app.git")
        let chosen = WebhookController.cloneURL(for: trigger(event, triggerURL, fork: fork, headRef: headRef, head: "fork/app"), repository: repository, hosts: hosts)
        #expect(chosen == "https://github.example/octo/app.git")
    }

    @Test func bitbucketForksCloneTheForkOnBitbucketsHost() {
        let repository = repository("bitbucket", stored: "https://bitbucket.example/octo/app.git")
        let fork = trigger("pull_request", "https://evil.example/x.git", fork: true, head: "Forker/App")
        #expect(WebhookController.cloneURL(for: fork, repository: repository, hosts: hosts) == "https://bitbucket.example/forker/app.git")
    }

    @Test func genericGitClonesItsConnectedURL() {
        let repository = repository("git", stored: "https://git.example/octo/app.git")
        #expect(WebhookController.cloneURL(for: trigger("push", "https://evil.example/x.git"), repository: repository, hosts: hosts) == "https://git.example/octo/app.git")
    }
}
