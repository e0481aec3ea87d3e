import Foundation
import Testing
@testable import FlowForgeForges

/// Which pull requests come from forks, on the published payloads: the same repository is not a fork; a
/// head in another repository is, with the base repository's ref that holds its head.
@Suite("fork detection")
struct ForkDetectionTests {
    /// The fixture with `from` replaced by `to` (to make its head live in another repository).
    func edited(_ name: String, _ from: String, _ to: String) throws -> [UInt8] {
        let text = String(decoding: try Fixtures.body(name), as: UTF8.self)
        #expect(text.contains(from))
        return Array(text.replacingOccurrences(of: from, with: to).utf8)
    }

    @Test func gitLabMergeRequests() throws {
        let forge = GitLabForge()
        let same = try #require(try forge.parse(Fixtures.request("gitlab/merge-request-event.json", forge: forge, event: "Merge Request Hook")).trigger)
        #expect(!same.fork && same.headRef == nil)
        let body = try edited("gitlab/merge-request-event.json", #""source_project_id": 14"#, #""source_project_id": 15"#)
        let fork = try #require(try forge.parse(Fixtures.signed(body, forge: forge, event: "Merge Request Hook")).trigger)
        #expect(fork.fork)
        #expect(fork.headRef == "refs/merge-requests/1/head")
    }

    @Test func bitbucketPullRequests() throws {
        let forge = BitbucketForge()
        let same = try #require(try forge.parse(Fixtures.request("bitbucket/pull-request-created.json", forge: forge, event: "pullrequest:created")).trigger)
        #expect(!same.fork)
        let text = String(decoding: try Fixtures.body("bitbucket/pull-request-created.json"), as: UTF8.self)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var pullRequest = try #require(json["pullrequest"] as? [String: Any])
        var source = try #require(pullRequest["source"] as? [String: Any])
        var repository = try #require(source["repository"] as? [String: Any])
        repository["full_name"] = "forker/repo_name"
        source["repository"] = repository
        pullRequest["source"] = source
        json["pullrequest"] = pullRequest
        let body = Array(try JSONSerialization.data(withJSONObject: json))
        let fork = try #require(try forge.parse(Fixtures.signed(body, forge: forge, event: "pullrequest:created")).trigger)
        #expect(fork.fork)
        #expect(fork.headRef == nil, "Bitbucket has no pull request ref: the fork itself is fetched")
        #expect(fork.headRepositoryFullName == "forker/repo_name")
    }
}
