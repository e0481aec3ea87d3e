import Testing
@testable import FlowForgeForges

@Suite("Bitbucket webhooks")
struct BitbucketForgeTests {
    let forge = BitbucketForge()

    @Test("a branch push triggers the new head")
    func push() throws {
        let request = try Fixtures.request("bitbucket/repo-push.json", forge: forge, event: "repo:push")
        let trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger == Trigger(
            provider: "bitbucket",
            repositoryFullName: "team_name/repo_name",
            cloneURL: "https://bitbucket.org/team_name/repo_name.git",
            event: "push",
            branch: "name-of-branch",
            commitSHA: "709d658dc5b6d6afcd46049c2f332ee3f515a67d",
            commitMessage: "new commit message\n",
            author: "Emma",
            deliveryID: "bb-delivery-1"
        ))
        #expect(try forge.repositoryFullName(request) == "team_name/repo_name")
    }

    @Test("created and updated pull requests trigger the source commit", arguments: ["created", "updated"])
    func pullRequest(action: String) throws {
        let request = try Fixtures.request("bitbucket/pull-request-\(action).json", forge: forge, event: "pullrequest:\(action)")
        let trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger.event == "pull_request")
        #expect(trigger.commitSHA == "d3022fc0ca3d")
        #expect(trigger.branch == "branch2")
        #expect(trigger.targetBranch == "master")
        #expect(trigger.pullRequestNumber == 1)
        #expect(trigger.repositoryFullName == "team_name/repo_name")
        #expect(trigger.cloneURL == "https://bitbucket.org/team_name/repo_name.git")
        #expect(trigger.commitMessage == "Title of pull request")
        #expect(trigger.author == "Emma")
    }

    @Test("a tag push is a tag build; a deleted ref is ignored")
    func tagAndDeletion() throws {
        let tag = Array(#"{"repository":{"full_name":"ws/app"},"push":{"changes":[{"new":{"type":"annotated_tag","name":"v2","target":{"hash":"cccccccccccccccccccccccccccccccccccccccc","author":{"raw":"Ada <ada@example.com>"}}},"old":null}]}}"#.utf8)
        let trigger = try #require(try forge.parse(Fixtures.signed(tag, forge: forge, event: "repo:push")).trigger)
        #expect(trigger.event == "tag")
        #expect(trigger.branch == "v2")
        #expect(trigger.author == "Ada <ada@example.com>")

        let deleted = Array(#"{"repository":{"full_name":"ws/app"},"push":{"changes":[{"new":null,"old":{"type":"branch","name":"topic"}}]}}"#.utf8)
        #expect(try forge.parse(Fixtures.signed(deleted, forge: forge, event: "repo:push")) == .ignored(reason: "branch deleted: topic"))
    }

    @Test("other events are ignored with their name")
    func otherEvent() throws {
        let request = Fixtures.signed(Array("{}".utf8), forge: forge, event: "pullrequest:fulfilled")
        #expect(try forge.parse(request) == .ignored(reason: "event pullrequest:fulfilled is not handled"))
    }
}
