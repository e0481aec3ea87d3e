import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// A signed push names the repository's default branch; a badge without `?branch=` then shows that branch.
@Suite("badge default branch from pushes", .needsDocker, .dockerPrerequisites)
struct BadgeDefaultBranchTests {
    @Test func aPushTeachesTheRepositoryItsDefaultBranch() async throws {
        try await AutoCancelTests().withRepository("octo/badged") { client, key, access, repositoryID, push in
            let before = try json(try await client.send(.get, "/api/user/repositories/\(repositoryID)", token: access))
            #expect(before["default_branch"] == nil, "not known before a push: \(before)")
            _ = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["public_badge": true])

            // AutoCancelTests.push says `"default_branch": "main"`, whatever branch it pushes.
            let pipeline = try await push(AutoCancelTests.quick, "feature", ["a"])
            let finished = try await client.awaitPipeline(pipeline, key: key)
            #expect(finished["status"] as? String == "success", "\(finished)")
            let after = try json(try await client.send(.get, "/api/user/repositories/\(repositoryID)", token: access))
            #expect(after["default_branch"] as? String == "main")

            let feature = text(try await client.send(.get, "/badge/\(repositoryID).svg?branch=feature"))
            #expect(feature.contains("aria-label=\"build: passing\""))
            let main = text(try await client.send(.get, "/badge/\(repositoryID).svg"))
            #expect(main.contains("aria-label=\"build: unknown\""), "the default branch, main, has no pipeline")
        }
    }
}
