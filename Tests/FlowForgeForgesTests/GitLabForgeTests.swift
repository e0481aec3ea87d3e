import Testing
@testable import FlowForgeForges

@Suite("GitLab webhooks")
struct GitLabForgeTests {
    let forge = GitLabForge()

    @Test("a branch push triggers the checked-out commit")
    func push() throws {
        let request = try Fixtures.request("gitlab/push-event.json", forge: forge, event: "Push Hook")
        var trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger.defaultBranch == "master")
        // `total_commits_count` is 4 but `commits` lists 2: the changed files are not known, so not claimed.
        #expect(trigger.changedFiles == nil)
        trigger.defaultBranch = nil
        #expect(trigger == Trigger(
            provider: "gitlab",
            repositoryFullName: "mike/diaspora",
            cloneURL: "http://example.com/mike/diaspora.git",
            event: "push",
            branch: "master",
            commitSHA: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
            commitMessage: "fixed readme",
            author: "GitLab dev user",
            deliveryID: "gl-delivery-1"
        ))
        #expect(try forge.repositoryFullName(request) == "mike/diaspora")
    }

    @Test("a tag push triggers a tag build")
    func tag() throws {
        let request = try Fixtures.request("gitlab/tag-event.json", forge: forge, event: "Tag Push Hook")
        let trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger.event == "tag")
        #expect(trigger.branch == "v1.0.0")
        #expect(trigger.commitSHA == "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7")
        #expect(trigger.repositoryFullName == "jsmith/example")
        #expect(trigger.cloneURL == "http://example.com/jsmith/example.git")
        #expect(trigger.commitMessage == nil)
        #expect(trigger.author == "John Smith")
    }

    @Test("an opened merge request triggers its last commit, cloned from the source project")
    func mergeRequest() throws {
        let request = try Fixtures.request("gitlab/merge-request-event.json", forge: forge, event: "Merge Request Hook")
        let trigger = try #require(try forge.parse(request).trigger)
        #expect(trigger.event == "pull_request")
        #expect(trigger.commitSHA == "da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
        #expect(trigger.branch == "ms-viewport")
        #expect(trigger.targetBranch == "master")
        #expect(trigger.pullRequestNumber == 1)
        #expect(trigger.repositoryFullName == "gitlabhq/gitlab-test")
        #expect(trigger.cloneURL == "http://example.com/awesome_space/awesome_project.git")
        #expect(trigger.commitMessage == "fixed readme")
    }

    @Test("merge request updates build only when they bring commits; merges are ignored")
    func mergeRequestActions() throws {
        let original = try String(decoding: Fixtures.body("gitlab/merge-request-event.json"), as: UTF8.self)
        func outcome(replacing action: String) throws -> WebhookOutcome {
            let body = original.replacingOccurrences(of: #""action": "open""#, with: action)
            #expect(body != original, "the fixture's action field moved")
            return try forge.parse(Fixtures.signed(Array(body.utf8), forge: forge, event: "Merge Request Hook"))
        }
        #expect(try outcome(replacing: #""action": "update""#) == .ignored(reason: "merge request updated without new commits"))
        #expect(try outcome(replacing: #""action": "update", "oldrev": "95790bf891e76fee5e1747ab589903a6a1f80f22""#).trigger != nil)
        #expect(try outcome(replacing: #""action": "reopen""#).trigger != nil)
        #expect(try outcome(replacing: #""action": "merge""#) == .ignored(reason: "merge request action merge is not handled"))
    }

    @Test("a deleted branch is ignored")
    func branchDeletion() throws {
        let body = Array(#"{"ref":"refs/heads/gone","before":"95790bf891e76fee5e1747ab589903a6a1f80f22","after":"0000000000000000000000000000000000000000","checkout_sha":null}"#.utf8)
        #expect(try forge.parse(Fixtures.signed(body, forge: forge, event: "Push Hook")) == .ignored(reason: "branch deleted: gone"))
    }

    @Test("the token must match exactly; Idempotency-Key wins as delivery id")
    func tokenAndDelivery() throws {
        var request = try Fixtures.request("gitlab/push-event.json", forge: forge, event: "Push Hook")
        #expect(forge.verify(request, secret: Fixtures.secret))
        #expect(!forge.verify(request, secret: Fixtures.secret + "x"))
        #expect(!forge.verify(request, secret: String(Fixtures.secret.dropLast())))
        request.headers["idempotency-key"] = "key-1"
        #expect(forge.deliveryID(request) == "key-1")
    }

    @Test("other events are ignored with their name")
    func otherEvent() throws {
        let request = Fixtures.signed(Array("{}".utf8), forge: forge, event: "Pipeline Hook")
        #expect(try forge.parse(request) == .ignored(reason: "event Pipeline Hook is not handled"))
    }
}
