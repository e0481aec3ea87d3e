import Foundation
import Testing
@testable import FlowForgeForges

@Suite("Commit status requests")
struct StatusRequestTests {
    let sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"

    func status(_ state: CommitStatusState = .success, repository: String = "team/app", description: String = "Build passed") -> CommitStatus {
        CommitStatus(state: state, description: description, targetURL: "https://ci.example.com/p/42", sha: sha, repositoryFullName: repository)
    }

    func json(_ request: ForgeHTTPRequest) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(request.body))
    }

    @Test("GitHub: URL, headers, body")
    func github() throws {
        let request = try GitHubForge().statusRequest(for: status(), apiBaseURL: "https://github.example.com/api/v3/")
        #expect(request.method == "POST")
        #expect(request.url == "https://github.example.com/api/v3/repos/team/app/statuses/\(sha)")
        #expect(request.headers["accept"] == "application/vnd.github+json")
        #expect(request.headers["authorization"] == nil)
        #expect(try json(request) == ["state": "success", "context": "flowforge/ci", "description": "Build passed", "target_url": "https://ci.example.com/p/42"])
    }

    @Test("GitLab: encoded path or project id in the URL")
    func gitlab() throws {
        let byPath = try GitLabForge().statusRequest(for: status(repository: "group/sub group/app"))
        #expect(byPath.url == "https://gitlab.com/api/v4/projects/group%2Fsub%20group%2Fapp/statuses/\(sha)")
        #expect(try json(byPath) == ["state": "success", "name": "flowforge/ci", "description": "Build passed", "target_url": "https://ci.example.com/p/42"])
        var withID = status()
        withID.gitLabProjectID = 15
        #expect(try GitLabForge().statusRequest(for: withID, apiBaseURL: "http://127.0.0.1:8929").url == "http://127.0.0.1:8929/api/v4/projects/15/statuses/\(sha)")
    }

    @Test("Bitbucket: URL and body")
    func bitbucket() throws {
        let request = try BitbucketForge().statusRequest(for: status(.running, repository: "ws/app"))
        #expect(request.url == "https://api.bitbucket.org/2.0/repositories/ws/app/commit/\(sha)/statuses/build")
        #expect(try json(request) == ["key": "flowforge/ci", "state": "INPROGRESS", "name": "flowforge/ci", "url": "https://ci.example.com/p/42", "description": "Build passed"])
    }

    @Test("every state maps to a state the forge accepts")
    func stateMapping() {
        let expected: [CommitStatusState: (github: String, gitlab: String, bitbucket: String)] = [
            .pending: ("pending", "pending", "INPROGRESS"),
            .running: ("pending", "running", "INPROGRESS"),
            .success: ("success", "success", "SUCCESSFUL"),
            .failure: ("failure", "failed", "FAILED"),
            .error: ("error", "failed", "FAILED"),
            .canceled: ("error", "canceled", "STOPPED"),
            // Never a pass; GitHub is never sent it at all (`isShown(on:)`).
            .skipped: ("error", "skipped", "STOPPED"),
        ]
        for state in CommitStatusState.allCases {
            let want = expected[state]
            #expect(GitHubForge.statusState(state) == want?.github, "\(state)")
            #expect(GitLabForge.statusState(state) == want?.gitlab, "\(state)")
            #expect(BitbucketForge.statusState(state) == want?.bitbucket, "\(state)")
        }
    }

    @Test("long descriptions are cut within the limit, never inside a character")
    func truncation() throws {
        // 3-byte characters and a 4-byte emoji with a skin-tone modifier (8 bytes, one character).
        let long = String(repeating: "ü€", count: 40) + "👍🏽" + String(repeating: "x", count: 300)
        let github = try json(GitHubForge().statusRequest(for: status(description: long)))["description"]
        let gitlab = try json(GitLabForge().statusRequest(for: status(description: long)))["description"]
        for (cut, limit) in [(github, 140), (gitlab, 255)] {
            let text = try #require(cut)
            #expect(text.utf8.count <= limit)
            #expect(text.hasSuffix("…"))
            #expect(long.hasPrefix(String(text.dropLast())), "the cut keeps a prefix of whole characters")
            #expect(text.utf8.count > limit - 8, "the cut uses the room it has")
        }
        #expect(try json(GitHubForge().statusRequest(for: status(description: "short")))["description"] == "short")
        #expect("ab👍🏽".truncated(toUTF8Bytes: 10) == "ab👍🏽")
        #expect("ab👍🏽c".truncated(toUTF8Bytes: 10) == "ab…")
    }

    @Test("GitLab leaves out a target URL over 255 bytes rather than cut it")
    func gitlabLongURL() throws {
        var long = status()
        long.targetURL = "https://ci.example.com/" + String(repeating: "p", count: 300)
        #expect(try json(GitLabForge().statusRequest(for: long))["target_url"] == nil)
    }

    @Test("Bitbucket keys stay within 40 characters and distinct")
    func bitbucketKey() throws {
        let first = "flowforge/" + String(repeating: "very-long-pipeline-name-", count: 3) + "one"
        let second = "flowforge/" + String(repeating: "very-long-pipeline-name-", count: 3) + "two"
        let keys = try [first, second].map { context in
            var long = status(repository: "ws/app")
            long.context = context
            return try #require(try json(BitbucketForge().statusRequest(for: long))["key"])
        }
        #expect(keys.allSatisfy { $0.utf8.count <= 40 })
        #expect(keys[0] != keys[1])
        #expect(keys[0].hasPrefix("flowforge/very-long"))
    }

    @Test("a repository name without an owner is refused with a clear error")
    func badFullName() {
        #expect(throws: StatusRequestError.invalidRepositoryFullName(provider: "github", name: "app")) {
            try GitHubForge().statusRequest(for: status(repository: "app"))
        }
        #expect(throws: StatusRequestError.self) { try BitbucketForge().statusRequest(for: status(repository: "a/b/c")) }
    }
}
