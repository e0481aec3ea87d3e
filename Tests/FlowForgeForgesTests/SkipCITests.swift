import Testing
@testable import FlowForgeForges

@Suite("[skip ci]")
struct SkipCITests {
    @Test("[skip ci] and [ci skip] in the head commit message skip the build, on every forge", arguments: ["[skip ci]", "[CI SKIP]"])
    func skipMarkers(marker: String) throws {
        let github = GitHubForge()
        let pushBody = try String(decoding: Fixtures.body("github/push.with-new-branch.json"), as: UTF8.self)
            .replacingOccurrences(of: #""message": "Initial commit""#, with: #""message": "Initial commit \#(marker)""#)
        #expect(try github.parse(Fixtures.signed(Array(pushBody.utf8), forge: github, event: "push"))
            == .ignored(reason: "\(marker.lowercased()) in commit message"))

        let gitlab = GitLabForge()
        let gitlabBody = try String(decoding: Fixtures.body("gitlab/push-event.json"), as: UTF8.self)
            .replacingOccurrences(of: #""message": "fixed readme""#, with: #""message": "fixed readme\n\n\#(marker)""#)
        #expect(try gitlab.parse(Fixtures.signed(Array(gitlabBody.utf8), forge: gitlab, event: "Push Hook")).trigger == nil)

        let bitbucket = BitbucketForge()
        let bitbucketBody = try String(decoding: Fixtures.body("bitbucket/repo-push.json"), as: UTF8.self)
            .replacingOccurrences(of: #""message":"new commit message\n""#, with: #""message":"new commit message \#(marker)\n""#)
        #expect(try bitbucket.parse(Fixtures.signed(Array(bitbucketBody.utf8), forge: bitbucket, event: "repo:push")).trigger == nil)
    }

    @Test("the marker only counts in the head commit, and only whole")
    func onlyHeadCommitAndWholeMarker() throws {
        let gitlab = GitLabForge()
        // The older of the two pushed commits asks to skip; the head does not, so the push builds.
        let body = try String(decoding: Fixtures.body("gitlab/push-event.json"), as: UTF8.self)
            .replacingOccurrences(of: "Update Catalan translation to e38cb41.", with: "WIP [skip ci]")
        #expect(try gitlab.parse(Fixtures.signed(Array(body.utf8), forge: gitlab, event: "Push Hook")).trigger != nil)
        #expect(SkipCI.reason(for: "skip ci") == nil)
        #expect(SkipCI.reason(for: nil) == nil)
    }
}
