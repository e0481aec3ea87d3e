
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// `GET /badge/:repository_id.svg`: the last pipeline's result per branch, public only when the owner says so.
@Suite("status badges")
struct StatusBadgeTests {
    @Test("each status has its words and colour", arguments: [
        (PipelineStatus.success, "passing", "#1f883d"), (.failure, "failing", "#cf222e"), (.error, "error", "#bc4c00"),
        (.canceled, "canceled", "#6e7781"), (.running, "running", "#0969da"), (.pending, "pending", "#9a6700"),
    ])
    func badgeOfEachStatus(status: PipelineStatus, message: String, colour: String) async throws {
        try await withBadgeApp { client, access, repositoryID, pipelines in
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: status)
            let badge = try await client.send(.get, "/badge/\(repositoryID).svg?branch=main")
            #expect(badge.status == .ok)
            #expect(badge.headers[.contentType] == "image/svg+xml; charset=utf-8")
            let svg = text(badge)
            #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            #expect(svg.contains("aria-label=\"build: \(message)\""))
            #expect(svg.contains(">\(message)</text>"))
            #expect(svg.contains("fill=\"\(colour)\""))
        }
    }

    @Test func theNewestPipelineOfTheBranchCountsNotOthersNorPullRequestsNorSkipped() async throws {
        try await withBadgeApp { client, _, repositoryID, pipelines in
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=main") == "unknown", "no pipeline yet")
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .failure, at: 1_000)
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .success, at: 2_000)
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .skipped, at: 3_000)
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .failure, event: "pull_request", at: 4_000)
            try await pipelines.insert(repositoryID: repositoryID, branch: "feature/x", status: .failure, at: 5_000)
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=main") == "passing")
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=feature/x") == "failing")
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=feature%2Fx") == "failing")
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=other") == "unknown")
        }
    }

    @Test func withoutABranchTheDefaultBranchShows() async throws {
        try await withBadgeApp { client, access, repositoryID, pipelines in
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .success)
            try await pipelines.insert(repositoryID: repositoryID, branch: "trunk", status: .failure)
            #expect(try await message(client, "/badge/\(repositoryID).svg") == "passing", "main until another is known")
            let set = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["default_branch": "trunk"])
            #expect(set.status == .ok)
            #expect(try json(set)["default_branch"] as? String == "trunk")
            #expect(try await message(client, "/badge/\(repositoryID).svg") == "failing")
            #expect(try await message(client, "/badge/\(repositoryID).svg?branch=") == "failing", "an empty branch is none")

            let bad = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["default_branch": "a..b"])
            #expect(bad.status == .unprocessableContent)
            #expect(try errorCode(bad) == "validation_failed")
        }
    }

    /// Off by default; a private badge and an unknown id answer byte for byte the same 404.
    @Test func aBadgeIsPublicOnlyWhenTheOwnerSaysSo() async throws {
        try await withBadgeApp(publicBadge: false) { client, access, repositoryID, pipelines in
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .success)
            let shown = try json(try await client.send(.get, "/api/user/repositories/\(repositoryID)", token: access))
            #expect(shown["public_badge"] as? Bool == false)

            let hidden = try await client.send(.get, "/badge/\(repositoryID).svg")
            let unknown = try await client.send(.get, "/badge/\(UUID().uuidString.lowercased()).svg")
            #expect(hidden.status == .notFound && unknown.status == .notFound)
            #expect(try errorCode(hidden) == "not_found")
            #expect(text(hidden) == text(unknown))
            #expect(!text(hidden).contains(repositoryID))

            let on = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["public_badge": true])
            #expect(try json(on)["public_badge"] as? Bool == true)
            #expect(try json(on)["auto_cancel"] as? Bool == true, "other settings stay as they are")
            #expect(try await client.send(.get, "/badge/\(repositoryID).svg").status == .ok)

            _ = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: access, json: ["public_badge": false])
            #expect(try await client.send(.get, "/badge/\(repositoryID).svg").status == .notFound)
        }
    }

    @Test func anotherAccountCannotFlipIt() async throws {
        try await withBadgeApp(publicBadge: false) { client, _, repositoryID, _ in
            let stranger = try await client.register().access
            for body: [String: Any] in [["public_badge": true], ["default_branch": "x"], ["public_badge": true, "auto_cancel": false]] {
                let flip = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: stranger, json: body)
                #expect(flip.status == .notFound, "\(body)")
                #expect(try errorCode(flip) == "not_found")
            }
            #expect(try await client.send(.get, "/badge/\(repositoryID).svg").status == .notFound)
            #expect(try await client.send(.patch, "/api/user/repositories/\(repositoryID)", json: ["public_badge": true]).status == .unauthorized)
        }
    }

    @Test func theAnswerIsCacheableAndRevalidatesWithItsETag() async throws {
        try await withBadgeApp { client, _, repositoryID, pipelines in
            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .running, at: 1_000)
            let first = try await client.send(.get, "/badge/\(repositoryID).svg")
            let etag = try #require(first.headers[.eTag])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
            let cache = try #require(first.headers[.cacheControl])
            #expect(cache.contains("public") && cache.contains("max-age=60"))

            let unchanged = try await client.execute(uri: "/badge/\(repositoryID).svg", method: .get, headers: [.ifNoneMatch: etag])
            #expect(unchanged.status == .notModified)
            #expect(unchanged.body.readableBytes == 0)
            #expect(unchanged.headers[.eTag] == etag)
            let listed = try await client.execute(uri: "/badge/\(repositoryID).svg", method: .get, headers: [.ifNoneMatch: "\"other\", W/\(etag)"])
            #expect(listed.status == .notModified)

            try await pipelines.insert(repositoryID: repositoryID, branch: "main", status: .success, at: 2_000)
            let changed = try await client.execute(uri: "/badge/\(repositoryID).svg", method: .get, headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok, "a new result is a new ETag")
            #expect(changed.headers[.eTag] != etag)
            #expect(text(changed).contains(">passing</text>"))
        }
    }

    func message(_ client: any TestClientProtocol, _ uri: String) async throws -> String? {
        let response = try await client.send(.get, uri)
        #expect(response.status == .ok, "\(uri): \(text(response))")
        let svg = text(response)
        guard let range = svg.range(of: "aria-label=\"build: ") else { return nil }
        return String(svg[range.upperBound...].prefix { $0 != "\"" })
    }

    /// An app with one account and one connected (generic git) repository, its badge public unless told
    /// otherwise, and a way to put pipelines of given states on record for it.
    func withBadgeApp(
        publicBadge: Bool = true,
        _ body: @Sendable (any TestClientProtocol, String, String, PipelineRows) async throws -> Void
    ) async throws {
        try await withTestApp { client, configuration in
            let account = try await client.register()
            let repository = try await client.connectRepository(
                access: account.access, provider: "git", fullName: "team/app",
                cloneURL: FileManager.default.temporaryDirectory.appendingPathComponent("app.git").absoluteString)
            let repositoryID = try #require(repository["id"] as? String)
            #expect(repository["public_badge"] as? Bool == false, "off by default")
            if publicBadge {
                let on = try await client.send(.patch, "/api/user/repositories/\(repositoryID)", token: account.access, json: ["public_badge": true])
                #expect(on.status == .ok, "\(text(on))")
            }
            let database = try openDatabase(configuration, logger: Logger(label: "test.badges"))
            do {
                try await body(client, account.access, repositoryID, PipelineRows(database: database, userID: account.userID))
            } catch {
                await database.shutdown()
                throw error
            }
            await database.shutdown()
        }
    }
}

/// Pipelines put on record directly in the database, in the states a badge must show (running them for real
/// is the pipeline suites' business).
struct PipelineRows: Sendable {
    let database: Database
    let userID: String

    func insert(repositoryID: String, branch: String, status: PipelineStatus, event: String = "push", at createdAt: Int64 = 1_000) async throws {
        let id = UUID().uuidString.lowercased()
        try await database.withConnection { db in
            try await db.raw("""
                INSERT INTO pipelines (id, user_id, repository_id, repo_url, branch, event, status, created_at)
                VALUES (\(bind: id), \(bind: userID), \(bind: repositoryID), 'file:///app.git', \(bind: branch), \(bind: event),
                        \(bind: status.rawValue), \(bind: createdAt))
                """).run()
        }
    }
}
