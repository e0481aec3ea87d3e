import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Testing

@Suite("Changed paths of a pull request", .timeLimit(.minutes(2)))
struct ChangedPathsTests {
    @Test("diffs from the merge base: renames give both paths, later target commits are not counted")
    func fromMergeBase() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        try repository.commit(["old.txt": "a file long enough that a move is detected as a rename\n", "src/app.swift": "1\n"])
        try GitCommandLine.run(["branch", "feature", "main"], in: repository.bareDirectory)
        let head = try repository.commit(
            ["moved/new.txt": "a file long enough that a move is detected as a rename\n", "docs/x.md": "doc\n"],
            removing: ["old.txt"], branch: "feature")
        // Landed on the target after the pull request forked: not the pull request's change.
        try repository.commit(["src/late.swift": "2\n"], branch: "main")

        let (_, workspace) = try await fixture.checkout(repository.fileURL, branch: "feature", commit: head)
        let paths = try await fixture.cache.changedPaths(in: workspace, targetBranch: "main", head: head).get()

        #expect(paths == ["docs/x.md", "moved/new.txt", "old.txt"])
    }

    @Test("a target branch the workspace does not hold is an error naming it")
    func missingTarget() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let repository = try fixture.makeLocalRepository()
        let head = try repository.commit(["a": "1\n"])
        let (_, workspace) = try await fixture.checkout(repository.fileURL, commit: head)

        let result = await fixture.cache.changedPaths(in: workspace, targetBranch: "release", head: head)

        guard case .failure(let error) = result else { Issue.record("expected a failure, got \(result)"); return }
        #expect(error.description.contains("release"))
    }
}
