import Testing
@testable import FlowForgeForges

@Suite("Generic git webhooks")
struct GenericGitForgeTests {
    let forge = GenericGitForge(cloneBaseURL: "http://127.0.0.1:9418/git/")
    let sha = "1111111111111111111111111111111111111111"

    func parse(_ json: String, event: String = "push") throws -> WebhookOutcome {
        try forge.parse(Fixtures.signed(Array(json.utf8), forge: forge, event: event))
    }

    @Test("the documented minimal body triggers a push, cloned under the base URL")
    func minimalBody() throws {
        let json = #"{"repository":"team/app","ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"\#(sha)"}"#
        let request = Fixtures.signed(Array(json.utf8), forge: forge, event: "push")
        #expect(try forge.parse(request) == .trigger(Trigger(
            provider: "git", repositoryFullName: "team/app", cloneURL: "http://127.0.0.1:9418/git/team/app",
            event: "push", branch: "main", commitSHA: sha, deliveryID: "git-delivery-1"
        )))
        #expect(try forge.repositoryFullName(request) == "team/app")
    }

    @Test("clone_url, message and author in the body are used; tags are tags")
    func fullBody() throws {
        let json = #"{"repository":"app","ref":"refs/tags/v1","after":"\#(sha)","clone_url":"file:///srv/app.git","message":"Release","author":"Ada","extra":null}"#
        let trigger = try #require(try parse(json).trigger)
        #expect(trigger.cloneURL == "file:///srv/app.git")
        #expect(trigger.event == "tag")
        #expect(trigger.branch == "v1")
        #expect(trigger.commitMessage == "Release")
        #expect(trigger.author == "Ada")
    }

    @Test("deletions, other refs and other events are ignored")
    func ignored() throws {
        #expect(try parse(#"{"repository":"app","ref":"refs/heads/x","after":"0000000000000000000000000000000000000000"}"#) == .ignored(reason: "branch deleted: x"))
        #expect(try parse(#"{"repository":"app","ref":"refs/notes/commits","after":"\#(sha)"}"#) == .ignored(reason: "ref refs/notes/commits is neither a branch nor a tag"))
        #expect(try parse("{}", event: "tag_push") == .ignored(reason: "event tag_push is not handled"))
    }

    @Test("without a clone URL anywhere, the error says how to fix it")
    func noCloneURL() throws {
        let bare = GenericGitForge()
        let request = Fixtures.signed(Array(#"{"repository":"app","ref":"refs/heads/main","after":"\#(sha)"}"#.utf8), forge: bare, event: "push")
        let error = try #require(throws: WebhookError.self) { try bare.parse(request) }
        #expect(error.description.contains("add clone_url"))
    }
}
