import Testing
@testable import FlowForgeForges

@Suite("Malformed deliveries")
struct WebhookErrorTests {
    // `ping` is answered from its header alone, so its body is never read.
    @Test("a body that is not JSON throws invalidJSON, with advice", arguments: Fixtures.all.filter { $0.event != "ping" })
    func notJSON(_ fixture: FixtureCase) throws {
        var request = try fixture.request()
        request.body = Array("payload=%7B%7D".utf8) // what a form-encoded GitHub hook sends
        let error = try #require(throws: WebhookError.self) { try fixture.forge.parse(request) }
        #expect(error == .invalidJSON(provider: fixture.forge.name, detail: "not valid JSON"))
        #expect(error.description.contains("application/json"))
        #expect(throws: WebhookError.self) { try fixture.forge.repositoryFullName(request) }
    }

    @Test("a missing event header throws missingHeader, naming it")
    func missingEventHeader() throws {
        let cases: [(any Forge, String)] = [
            (GitHubForge(), "X-GitHub-Event"), (GitLabForge(), "X-Gitlab-Event"),
            (BitbucketForge(), "X-Event-Key"), (GenericGitForge(), "X-FlowForge-Event"),
        ]
        for (forge, header) in cases {
            let request = WebhookRequest(headers: [:], body: Array("{}".utf8))
            let error = try #require(throws: WebhookError.self) { try forge.parse(request) }
            #expect(error == .missingHeader(provider: forge.name, header: header))
            #expect(error.description.contains(header))
        }
    }

    @Test("a missing required field throws missingField with its JSON path")
    func missingField() throws {
        let forge = GitHubForge()
        let noSHA = Array(#"{"action":"opened","number":1,"pull_request":{"head":{"ref":"x"}},"repository":{"full_name":"a/b","clone_url":"https://github.com/a/b.git"}}"#.utf8)
        #expect(throws: WebhookError.missingField(provider: "github", field: "pull_request.head.sha")) {
            try forge.parse(Fixtures.signed(noSHA, forge: forge, event: "pull_request"))
        }
        let wrongType = Array(#"{"ref":42}"#.utf8)
        let error = try #require(throws: WebhookError.self) { try forge.parse(Fixtures.signed(wrongType, forge: forge, event: "push")) }
        #expect(error == .invalidJSON(provider: "github", detail: "ref has the wrong type"))
    }

    @Test("null and missing extras decode")
    func nullsTolerated() throws {
        let forge = GitHubForge()
        let body = Array(#"{"ref":"refs/heads/main","after":"1111111111111111111111111111111111111111","deleted":null,"head_commit":null,"installation":null,"repository":{"full_name":"a/b","clone_url":"https://github.com/a/b.git","owner":null}}"#.utf8)
        let trigger = try #require(try forge.parse(Fixtures.signed(body, forge: forge, event: "push")).trigger)
        #expect(trigger.commitMessage == nil)
        #expect(trigger.commitSHA == "1111111111111111111111111111111111111111")
    }

    @Test("header names are matched case-insensitively")
    func headerCase() {
        let request = WebhookRequest(headers: ["X-GITHUB-DELIVERY": "abc"], body: [])
        #expect(GitHubForge().deliveryID(request) == "abc")
        #expect(request.header("x-github-delivery") == "abc")
    }
}
