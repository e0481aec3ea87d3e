import Testing
@testable import FlowForgeForges

@Suite("GitHub webhooks")
struct GitHubForgeTests {
    let forge = GitHubForge()

    @Test("a tag deletion is ignored")
    func tagDeletion() throws {
        let outcome = try forge.parse(Fixtures.request("github/push.json", forge: forge, event: "push"))
        #expect(outcome == .ignored(reason: "tag deleted: simple-tag"))
    }

    @Test("a push to a new branch from a GitHub App triggers its head commit")
    func pushWithNewBranch() throws {
        let request = try Fixtures.request("github/push.with-new-branch.json", forge: forge, event: "push")
        var trigger = try #require(try forge.parse(request).trigger)
        // The payload names the default branch and lists the files of its one commit (for auto-cancel and `when.path`).
        #expect(trigger.defaultBranch == "master")
        #expect(trigger.changedFiles == ["README.md"])
        trigger.defaultBranch = nil
        trigger.changedFiles = nil
        #expect(trigger == Trigger(
            provider: "github",
            repositoryFullName: "Codertocat/Hello-World",
            cloneURL: "https://github.com/Codertocat/Hello-World.git",
            event: "push",
            branch: "master",
            commitSHA: "6113728f27ae82c7b1a177c8d03f9e96e0adf246",
            commitMessage: "Initial commit",
            author: "Codertocat",
            installationID: 1,
            deliveryID: "gh-delivery-1"
        ))
        #expect(try forge.repositoryFullName(request) == "Codertocat/Hello-World")
        #expect(forge.deliveryID(request) == "gh-delivery-1")
    }

    @Test("ping answers .ping")
    func ping() throws {
        let request = try Fixtures.request("github/ping.json", forge: forge, event: "ping")
        #expect(try forge.parse(request) == .ping)
        #expect(try forge.repositoryFullName(request) == "Octocoders/Hello-World")
    }

    @Test("opened and synchronize pull requests trigger the head commit", arguments: ["opened", "synchronize"])
    func pullRequest(action: String) throws {
        let request = try Fixtures.request("github/pull_request.\(action).json", forge: forge, event: "pull_request")
        let trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger.event == "pull_request")
        #expect(trigger.commitSHA == "ec26c3e57ca3a959ca5aad62de7213c562f8c821")
        #expect(trigger.branch == "changes")
        #expect(trigger.targetBranch == "master")
        #expect(trigger.pullRequestNumber == 2)
        #expect(trigger.repositoryFullName == "Codertocat/Hello-World")
        #expect(trigger.cloneURL == "https://github.com/Codertocat/Hello-World.git")
        #expect(trigger.commitMessage == "Update the README with new information.")
        #expect(trigger.author == "Codertocat")
        #expect(trigger.installationID == 1)
        #expect(!trigger.fork && trigger.headRef == nil, "head and base are one repository")
    }

    @Test("a pull request from a fork clones the fork")
    func pullRequestFromFork() throws {
        let body = Array("""
        {"action":"reopened","number":7,
         "pull_request":{"title":"Fix","user":{"login":"ada"},
           "head":{"ref":"fix","sha":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","repo":{"full_name":"ada/app","clone_url":"https://github.com/ada/app.git"}},
           "base":{"ref":"main","sha":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","repo":null}},
         "repository":{"full_name":"team/app","clone_url":"https://github.com/team/app.git"}}
        """.utf8)
        let trigger = try #require(try forge.parse(Fixtures.signed(body, forge: forge, event: "pull_request")).trigger)
        #expect(trigger.repositoryFullName == "team/app")
        #expect(trigger.cloneURL == "https://github.com/ada/app.git")
        #expect(trigger.pullRequestNumber == 7)
        #expect(trigger.installationID == nil)
        #expect(trigger.fork && trigger.headRef == "refs/pull/7/head" && trigger.headRepositoryFullName == "ada/app")
    }

    @Test("closed pull requests are ignored")
    func closedPullRequest() throws {
        let body = Array(#"{"action":"closed","number":2,"pull_request":null}"#.utf8)
        #expect(try forge.parse(Fixtures.signed(body, forge: forge, event: "pull_request"))
            == .ignored(reason: "pull request action closed is not handled"))
    }

    @Test("an app installation lists its repositories as added")
    func installationCreated() throws {
        let request = try Fixtures.request("github/installation.created.json", forge: forge, event: "installation")
        #expect(try forge.parse(request) == .installation(InstallationEvent(
            id: 957387, account: "Codertocat", action: "created",
            repositoriesAdded: ["Codertocat/Hello-World"], repositoriesRemoved: []
        )))
        #expect(try forge.repositoryFullName(request) == nil)
    }

    @Test("repositories added to an installation")
    func installationRepositoriesAdded() throws {
        let request = try Fixtures.request("github/installation_repositories.added.json", forge: forge, event: "installation_repositories")
        #expect(try forge.parse(request) == .installation(InstallationEvent(
            id: 957387, account: "Codertocat", action: "added",
            repositoriesAdded: ["Codertocat/Space"], repositoriesRemoved: []
        )))
    }

    @Test("other events are ignored with their name")
    func otherEvent() throws {
        let request = Fixtures.signed(Array("{}".utf8), forge: forge, event: "issues")
        #expect(try forge.parse(request) == .ignored(reason: "event issues is not handled"))
    }

    @Test("a branch deletion is ignored")
    func branchDeletion() throws {
        let body = Array(#"{"ref":"refs/heads/old","after":"0000000000000000000000000000000000000000","deleted":true}"#.utf8)
        #expect(try forge.parse(Fixtures.signed(body, forge: forge, event: "push")) == .ignored(reason: "branch deleted: old"))
    }
}
