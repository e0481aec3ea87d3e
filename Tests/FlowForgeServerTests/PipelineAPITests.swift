import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// The v1 pipelines API's contract: validation, isolation between accounts, listing. Pipelines here point at
/// repositories that do not exist, so they end in `error` without needing Docker.
@Suite("v1 pipelines API")
struct PipelineAPITests {
    /// A refused loopback, private or file:// repo_url names the setting that allows it, and for whom.
    @Test func refusedLocalRepositoriesNameTheSettingThatAllowsThem() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "false"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            for url in ["http://127.0.0.1/repo.git", "https://10.1.2.3/repo.git", "file:///srv/repo.git"] {
                let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: ["repo_url": url])
                #expect(response.status == .unprocessableContent)
                let message = (try json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains("FLOWFORGE_ALLOW_LOCAL_REPOS=true"), "\(url): \(message)")
                #expect(message.contains("self-hosted machines only"), "\(url): \(message)")
            }
        }
    }

    @Test func createValidatesTheRequest() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "false"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let cases: [([String: Any], String)] = [
                ([:], "repo_url"),
                (["repo_url": "ftp://example.com/repo.git"], "repo_url"),
                (["repo_url": "file:///srv/repo.git"], "repo_url"),
                (["repo_url": "http://127.0.0.1/repo.git"], "repo_url"),
                (["repo_url": "https://localhost/repo.git"], "repo_url"),
                (["repo_url": "http://[::1]/repo.git"], "repo_url"),
                (["repo_url": "https://user:token@127.0.0.1/repo.git"], "repo_url"),
                (["repo_url": "not a url"], "repo_url"),
                (["repo_url": "https://10.1.2.3/repo.git"], "repo_url"),
                (["repo_url": "https://169.254.169.254/latest"], "repo_url"),
                (["repo_url": "http://192.168.1.1/x.git"], "repo_url"),
                (["repo_url": 7], "repo_url"),
            ]
            for (body, field) in cases {
                let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: body)
                #expect(response.status == .unprocessableContent, "\(body): \(String(buffer: response.body))")
                let message = (try json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.hasPrefix(field), "\(body): \(message)")
            }
        }
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let cases: [([String: Any], String)] = [
                (["repo_url": "file:///srv/repo.git", "branch": "bad branch"], "branch"),
                (["repo_url": "file:///srv/repo.git", "branch": "../x"], "branch"),
                (["repo_url": "file:///srv/repo.git", "commit": "abc123"], "commit"),
                (["repo_url": "file:///srv/repo.git", "commands": []], "commands"),
                (["repo_url": "file:///srv/repo.git", "commands": ["echo", " "]], "commands[1]"),
                (["repo_url": "file:///srv/repo.git", "commands": ""], "commands[0]"),
                (["repo_url": "file:///srv/repo.git", "env": ["1BAD": "x"]], "env.1BAD"),
                (["repo_url": "file:///srv/repo.git", "env": ["A": 1]], "env"),
            ]
            for (body, field) in cases {
                let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: body)
                #expect(response.status == .unprocessableContent, "\(body): \(String(buffer: response.body))")
                let message = (try json(response)["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.hasPrefix(field), "\(body): \(message)")
            }
            #expect(try await client.send(.post, "/api/v1/pipelines", json: ["repo_url": "file:///x"]).status == .unauthorized)
        }
    }

    @Test func createdPipelineHasTheDocumentedShape() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let response = try await client.send(.post, "/v1/pipelines", token: key, json: [
                "repo_url": "file:///nonexistent/repo.git", "commands": ["npm test"],
            ])
            #expect(response.status == .created)
            let body = try json(response)
            #expect(body["status"] as? String == "pending")
            #expect(body["branch"] as? String == "main")
            #expect(body["repo_url"] as? String == "file:///nonexistent/repo.git")
            for key in ["id", "commit_sha", "steps", "created_at", "started_at", "completed_at", "error"] {
                #expect(body.keys.contains(key), "missing \(key)")
            }
            let id = try #require(body["id"] as? String)
            let finished = try await client.awaitPipeline(id, key: key)
            #expect(finished["status"] as? String == "error")
            #expect((finished["error"] as? String)?.contains("nonexistent") == true, "\(finished)")
        }
    }

    @Test func anotherAccountsPipelineIsNotFound() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let alice = try await client.createAPIKey(access: try await client.register().access)
            let bob = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: alice, ["repo_url": "file:///nonexistent", "commands": ["true"]])
            #expect(try await client.send(.get, "/api/v1/pipelines/\(id)", token: bob).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/pipelines/\(id)/logs", token: bob).status == .notFound)
            #expect(try await client.send(.get, "/api/v1/pipelines/\(id)", token: alice).status == .ok)
            let bobsList = try json(try await client.send(.get, "/api/v1/pipelines", token: bob))
            #expect((bobsList["pipelines"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func listIsNewestFirstAndPaginated() async throws {
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            var created: [String] = []
            for index in 0..<5 {
                created.append(try await client.createPipeline(key: key, ["repo_url": "file:///nonexistent/\(index)", "commands": ["true"]]))
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let query = "/api/v1/pipelines?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try json(try await client.send(.get, query, token: key))
                let ids = (page["pipelines"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(ids.count <= 2)
                seen += ids
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == created.reversed())

            for id in created { _ = try await client.awaitPipeline(id, key: key) }
            let errors = try json(try await client.send(.get, "/api/v1/pipelines?status=error", token: key))
            #expect((errors["pipelines"] as? [Any])?.count == 5)
            let running = try json(try await client.send(.get, "/api/v1/pipelines?status=running", token: key))
            #expect((running["pipelines"] as? [Any])?.isEmpty == true)

            for bad in ["status=weird", "limit=0", "limit=500", "cursor=%21%21"] {
                #expect(try await client.send(.get, "/api/v1/pipelines?\(bad)", token: key).status == .unprocessableContent, "\(bad)")
            }
        }
    }
}

extension PipelineAPITests {
    /// A pipeline-level `when` that excludes the event ends the pipeline as `skipped`, running no step.
    @Test func pipelineLevelWhenSkipsTheWholePipeline() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("release-only")
        try repository.commit(["flowforge.yml": """
            when:
              branch: "release/*"
            steps:
              - name: ship
                commands: [echo shipping]
            """])
        try await withTestApp(environment: ["FLOWFORGE_ALLOW_LOCAL_REPOS": "true"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            #expect(pipeline["status"] as? String == "skipped", "\(pipeline)")
            #expect(steps(pipeline).isEmpty)
            #expect((pipeline["error"] as? String)?.isEmpty == false)
        }
    }
}

@Suite("repository URL policy")
struct RepositoryURLPolicyTests {
    @Test(arguments: [
        ("8.8.8.8", true), ("140.82.112.3", true), ("127.0.0.1", false), ("10.0.0.1", false), ("172.16.5.4", false),
        ("172.32.0.1", true), ("192.168.0.1", false), ("169.254.169.254", false), ("100.64.0.1", false), ("0.0.0.0", false),
        ("224.0.0.1", false), ("::1", false), ("::", false), ("fe80::1", false), ("fd00::1", false), ("::ffff:127.0.0.1", false),
        ("::ffff:8.8.8.8", true), ("2606:4700::1111", true),
    ])
    func classifiesAddresses(address: String, isPublic: Bool) {
        #expect(IPAddressClass.isPublic(address) == isPublic)
    }

    /// IPv6 literals are parsed as addresses, not sent to the resolver with their brackets (which fails and
    /// used to be the only reason they were refused).
    @Test(arguments: ["http://[::1]:8080/x.git", "https://[fe80::1]/x.git", "http://[::ffff:127.0.0.1]/x.git", "git://[64:ff9b::a00:1]/x.git"])
    func bracketedPrivateLiteralsAreRefusedByAddress(url: String) async throws {
        do {
            _ = try await RepositoryURLPolicy(allowLocal: false).check(url)
            Issue.record("\(url) was accepted")
        } catch let error as APIError {
            #expect(error.message.contains("special-purpose address"), "\(error.message)")
        }
    }

    @Test func bracketedPublicLiteralIsAccepted() async throws {
        let url = "https://[2606:4700::1111]/owner/repo.git"
        #expect(try await RepositoryURLPolicy(allowLocal: false).check(url) == url)
    }
}
