import FlowForgeStore
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer

/// Commit statuses end to end: a connected repository on the local git server, a signed push webhook,
/// the pipeline in a real container, and a fake forge API on 127.0.0.1 that must see pending → final.
@Suite("commit statuses in Docker", .needsDocker, .dockerPrerequisites)
struct StatusPipelineTests {
    static let frontend = "http://dashboard.flowforge.test"

    /// GitHub success and failure, GitLab and Bitbucket success.
    @Test(arguments: [
        ("github", "octo/app", true), ("github", "octo/broken", false), ("gitlab", "group/sub/app", true), ("bitbucket", "team/app", true),
    ])
    func pushGetsPendingThenItsFinalStatus(provider: String, fullName: String, passes: Bool) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let run = try await runPipeline(provider: provider, fullName: fullName, passes: passes, forge: forge)
        let (final, pending) = Self.words(provider, passes: passes)

        let seen = run.statuses
        #expect(seen.last?.state == final, "\(seen)")
        #expect(seen.count >= 2 && seen.dropLast().allSatisfy { pending.contains($0.state ?? "") }, "pending first, then the final state: \(seen)")
        #expect(seen.allSatisfy { $0.violations.isEmpty && $0.api == provider }, "\(seen)")
        #expect(seen.allSatisfy { $0.sha == run.sha && $0.context == "flowforge/ci/push" })
        #expect(seen.allSatisfy { $0.targetURL == "\(Self.frontend)/dashboard/pipelines/\(run.pipelineID)" })
        #expect(seen.allSatisfy { $0.headers["authorization"] == "Bearer \(provider)-token" })
    }

    @Test func aForgeAnswering500ForAWhileStillGetsTheFinalStatus() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        await forge.failNext(4, status: 500)
        let run = try await runPipeline(provider: "github", fullName: "octo/flaky", passes: true, forge: forge)
        #expect(run.statuses.prefix(4).allSatisfy { $0.answered == 500 }, "\(run.statuses)")
        #expect(run.statuses.last?.state == "success" && run.statuses.last?.answered == 201)
        // Never an older state after the final one.
        #expect(run.statuses.filter { $0.answered == 201 }.last?.state == "success")
    }

    /// A pipeline skipped by `when` never posts `success`: GitLab gets its own `skipped`, Bitbucket the
    /// neutral `STOPPED`. GitHub, whose statuses have no neutral state, gets no status at all: a `pending`
    /// ("Queued" or "Running") posted for it could never be cleared.
    @Test(arguments: [("github", "octo/skips"), ("gitlab", "group/skips"), ("bitbucket", "team/skips")])
    func aSkippedPipelinePostsNothingGreen(provider: String, fullName: String) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let expected = ["github": nil, "gitlab": "skipped", "bitbucket": "STOPPED"][provider]!
        let run = try await runPipeline(
            provider: provider, fullName: fullName, passes: true, forge: forge,
            config: "when:\n  event: tag\nsteps:\n  - name: test\n    commands: [\"true\"]\n",
            // GitHub: every status is stored with the state it reports, so once the pipeline is finished the
            // outbox holds all there will ever be; `outboxRows` counts them.
            until: { seen in expected.map { final in seen.contains { $0.state == final } } ?? true },
            awaitFinish: true
        )
        let seen = await forge.statusRequests()
        if expected == nil {
            #expect(run.outboxRows == 0, "no status may ever be stored for a skipped GitHub pipeline")
            #expect(seen.isEmpty, "\(seen)")
        }
        #expect(!seen.contains { ["success", "SUCCESSFUL"].contains($0.state ?? "") }, "\(seen)")
        if let expected {
            #expect(seen.last?.state == expected, "\(seen)")
            #expect(seen.allSatisfy { $0.violations.isEmpty }, "\(seen)")
        } else {
            #expect(seen.allSatisfy { $0.state == "pending" }, "\(seen)")
        }
        #expect(seen.allSatisfy { $0.context == "flowforge/ci/push" && $0.sha == run.sha })
    }

    /// Push and pull request pipelines of one commit report under their own contexts.
    @Test func pullRequestsHaveTheirOwnContext() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let run = try await runPipeline(provider: "github", fullName: "octo/prs", passes: true, forge: forge, delivery: { sha, _ in
            ("pull_request", #"{"action":"opened","number":3,"pull_request":{"number":3,"title":"t","head":{"ref":"topic","sha":"\#(sha)","repo":{"full_name":"octo/prs","clone_url":"http://127.0.0.1:1/octo/prs.git"}},"base":{"ref":"main"}},"repository":{"full_name":"octo/prs","clone_url":"http://127.0.0.1:1/octo/prs.git"}}"#)
        })
        #expect(run.statuses.last?.state == "success", "\(run.statuses)")
        #expect(run.statuses.allSatisfy { $0.context == "flowforge/ci/pr" }, "\(run.statuses)")
    }

    /// A named 2×2 matrix is one pipeline: one status under `flowforge/<name>/push`, failed by one combination.
    @Test(arguments: ["github", "gitlab"])
    func aMatrixPostsOneStatusUnderItsName(provider: String) async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let fullName = provider == "github" ? "octo/matrix" : "group/matrix"
        let run = try await runPipeline(provider: provider, fullName: fullName, passes: false, forge: forge, config: """
            name: unit
            matrix: { A: ["1", "2"], B: [x, y] }
            steps:
              - name: test
                commands: ['test "$A$B" != 2y']
            """)
        let (final, pending) = Self.words(provider, passes: false)
        #expect(run.statuses.allSatisfy { $0.context == "flowforge/unit/push" }, "\(run.statuses)")
        #expect(run.statuses.filter { !pending.contains($0.state ?? "") }.map(\.state) == [final], "\(run.statuses)")
    }

    /// A pull request's steps see the standard environment; its `when.branch` matches the target branch;
    /// the API shows the pull request, the pipeline's name and the commit's author and title.
    @Test func pullRequestStepsSeeTheStandardEnvironment() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let run = try await runPipeline(
            provider: "github", fullName: "octo/envs", passes: true, forge: forge,
            config: """
                name: checks
                when: { branch: main, event: pull_request }
                steps:
                  - name: show
                    commands: ['env | grep -E "^(CI|FLOWFORGE[A-Z_]*)=" | sort']
                """,
            delivery: { sha, _ in
                ("pull_request", #"{"action":"opened","number":7,"pull_request":{"number":7,"title":"Add envs","user":{"login":"mona"},"head":{"ref":"topic","sha":"\#(sha)","repo":{"full_name":"octo/envs","clone_url":"http://127.0.0.1:1/octo/envs.git"}},"base":{"ref":"main"}},"repository":{"full_name":"octo/envs","clone_url":"http://127.0.0.1:1/octo/envs.git"}}"#)
            },
            inspect: { client, id, key in
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "success", "\(pipeline)")
                #expect(pipeline["name"] as? String == "checks")
                #expect(pipeline["commit_author"] as? String == "mona")
                #expect(pipeline["commit_message"] as? String == "Add envs")
                let pullRequest = pipeline["pull_request"] as? [String: Any]
                #expect(pullRequest?["number"] as? Int == 7 && pullRequest?["target_branch"] as? String == "main", "\(pipeline)")
                let log = try await client.logs(id, key: key)
                let sha = try #require(pipeline["commit_sha"] as? String)
                for line in [
                    "CI=true", "FLOWFORGE=true", "FLOWFORGE_PIPELINE_ID=\(id)", "FLOWFORGE_COMMIT_SHA=\(sha)", "FLOWFORGE_BRANCH=topic",
                    "FLOWFORGE_TAG=", "FLOWFORGE_EVENT=pull_request", "FLOWFORGE_REPO=octo/envs", "FLOWFORGE_STEP_NAME=show",
                    "FLOWFORGE_PR_NUMBER=7", "FLOWFORGE_TARGET_BRANCH=main", "FLOWFORGE_PIPELINE_NAME=checks",
                    "FLOWFORGE_COMMIT_AUTHOR=mona",
                ] {
                    #expect(log.contains("\n\(line)\n"), "\(line) in \(log)")
                }
            })
        #expect(run.statuses.last?.state == "success", "\(run.statuses)")
        #expect(run.statuses.allSatisfy { $0.context == "flowforge/checks/pr" }, "\(run.statuses)")
    }

    /// Bitbucket's pull request hooks carry a 12-digit hash; every status goes out with the full 40.
    @Test func bitbucketStatusesCarryTheFullCommitID() async throws {
        let forge = try await FakeForge()
        defer { forge.stop() }
        let run = try await runPipeline(provider: "bitbucket", fullName: "team/prs", passes: true, forge: forge, delivery: { sha, _ in
            ("pullrequest:created", #"{"repository":{"full_name":"team/prs"},"pullrequest":{"id":4,"title":"t","source":{"branch":{"name":"main"},"commit":{"hash":"\#(sha.prefix(12))"},"repository":{"full_name":"team/prs"}},"destination":{"branch":{"name":"main"},"repository":{"full_name":"team/prs"}}}}"#)
        })
        #expect(run.statuses.last?.state == "SUCCESSFUL", "\(run.statuses)")
        #expect(!run.statuses.isEmpty && run.statuses.allSatisfy { $0.sha == run.sha && $0.sha?.count == 40 }, "\(run.statuses)")
        #expect(run.statuses.allSatisfy { $0.context == "flowforge/ci/pr" })
    }

    struct Run {
        var pipelineID: String
        var sha: String
        var statuses: [FakeForgeRequest]
        /// The pipeline's commit statuses in the outbox, sent or not (counted only with `awaitFinish`).
        var outboxRows = 0
    }

    /// Connects `fullName` with a token, pushes a commit through a signed webhook, and waits until the
    /// forge has received the final status (or a minute passed).
    private func runPipeline(
        provider: String, fullName: String, passes: Bool, forge: FakeForge,
        config: String? = nil, delivery: (@Sendable (String, String) -> (event: String, body: String))? = nil,
        until done: (@Sendable ([FakeForgeRequest]) -> Bool)? = nil, awaitFinish: Bool = false,
        inspect: (@Sendable (_ client: any TestClientProtocol, _ pipelineID: String, _ key: String) async throws -> Void)? = nil
    ) async throws -> Run {
        let server = try GitTestServer()
        defer { server.stop() }
        // The test git server plays the forge's host: repositories live at <host>/<full name>.git.
        let repository = try server.makeRepository("\(fullName).git")
        let sha = try repository.commit(["flowforge.yml": config ?? """
            steps:
              - name: test
                commands: ["echo testing", "\(passes ? "true" : "exit 4")"]
            """])
        await forge.grantRead(provider: provider, fullName: fullName, token: "\(provider)-token")
        let environment = pipelineEnvironment(forgeEnvironment(forge, gitBase: server.baseURL).merging([
            "FRONTEND_URL": Self.frontend, "FLOWFORGE_STATUS_RETRY_BASE_MS": "50",
        ]) { _, new in new })
        let (final, _) = Self.words(provider, passes: passes)
        let result = RunBox()
        try await withTestApp(environment: environment) { client, configuration in
            let access = try await client.register().access
            let created = try await client.send(.post, "/api/user/repositories", token: access, json: [
                "provider": provider, "full_name": fullName, "access_token": "\(provider)-token",
            ])
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let secret = try #require(try json(created)["webhook_secret"] as? String)
            let url = try #require(repository.httpURL)
            let (event, body) = delivery?(sha, url) ?? Self.push(provider: provider, fullName: fullName, sha: sha, cloneURL: url)
            let answer = try await client.deliver(SignedDelivery(provider: provider, event: event, body: Array(body.utf8)), secret: secret)
            #expect(answer.status == .accepted, "\(String(buffer: answer.body))")
            let pipelineID = try #require(try json(answer)["pipeline_id"] as? String)
            if awaitFinish {
                let finished = try await client.awaitPipeline(pipelineID, key: try await client.createAPIKey(access: access))
                #expect(finished["status"] as? String == "skipped", "\(finished)")
            }
            let statuses = await forge.awaitStatusRequests(timeout: .seconds(90), until: done ?? { seen in
                seen.contains { $0.state == final && $0.answered == 201 }
            })
            if let inspect { try await inspect(client, pipelineID, try await client.createAPIKey(access: access)) }
            var run = Run(pipelineID: pipelineID, sha: sha, statuses: statuses)
            if awaitFinish { run.outboxRows = try await Self.outboxRows(pipelineID, configuration) }
            await result.set(run)
        }
        return try #require(await result.run)
    }

    static func outboxRows(_ pipelineID: String, _ configuration: AppConfiguration) async throws -> Int {
        let database = try openDatabase(configuration, logger: Logger(label: "test.outbox"))
        do {
            let count = try await database.withConnection { db in
                try await db.raw("SELECT COUNT(*) AS n FROM status_outbox WHERE pipeline_id = \(bind: pipelineID)").first()?
                    .decode(column: "n", as: Int.self) ?? 0
            }
            await database.shutdown()
            return count
        } catch {
            await database.shutdown()
            throw error
        }
    }

    /// The final and the in-progress states in the forge's words.
    static func words(_ provider: String, passes: Bool) -> (final: String, pending: Set<String>) {
        switch provider {
        case "gitlab": (passes ? "success" : "failed", ["pending", "running"])
        case "bitbucket": (passes ? "SUCCESSFUL" : "FAILED", ["INPROGRESS"])
        default: (passes ? "success" : "failure", ["pending"])
        }
    }

    /// A minimal push delivery of each forge for `sha` on `main`.
    static func push(provider: String, fullName: String, sha: String, cloneURL: String) -> (event: String, body: String) {
        switch provider {
        case "gitlab":
            return ("Push Hook", #"{"object_kind":"push","ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"\#(sha)","checkout_sha":"\#(sha)","user_name":"dev","project":{"path_with_namespace":"\#(fullName)","git_http_url":"\#(cloneURL)"},"commits":[{"id":"\#(sha)","message":"test commit"}]}"#)
        case "bitbucket":
            return ("repo:push", #"{"repository":{"full_name":"\#(fullName)"},"push":{"changes":[{"new":{"type":"branch","name":"main","target":{"hash":"\#(sha)","message":"test commit"}},"old":null}]}}"#)
        default:
            return ("push", #"{"ref":"refs/heads/main","before":"0000000000000000000000000000000000000000","after":"\#(sha)","deleted":false,"repository":{"full_name":"\#(fullName)","clone_url":"\#(cloneURL)"},"head_commit":{"id":"\#(sha)","message":"test commit"}}"#)
        }
    }
}

/// Carries the run out of the `@Sendable` test-app closure.
private actor RunBox {
    var run: StatusPipelineTests.Run?
    func set(_ run: StatusPipelineTests.Run) { self.run = run }
}
