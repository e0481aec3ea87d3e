import Foundation
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// What the lifecycle observer puts in the outbox, on a real database.
@Suite("status publisher")
struct StatusPublisherTests {
    static let sha = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"

    func makePipeline(_ fixture: StatusStoreFixture, _ provider: String, event: String = "push", sha: String = Self.sha) -> PipelineRecord {
        PipelineRecord(
            id: fixture.pipelines[provider]!, userID: fixture.userID, repositoryID: fixture.repositories[provider]!, repoURL: "x",
            branch: "main", commitSHA: sha, event: event, commands: nil, environment: [:], createdAt: 5_000
        )
    }

    @Test func milestonesBecomeOrderedStatusesWithLinkAndContext() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            var pipeline = makePipeline(fixture, "gitlab")
            await publisher.publish(pipeline, .queued, fixture)
            pipeline.status = .running
            await publisher.publish(pipeline, .started, fixture)
            pipeline.status = .success
            await publisher.publish(pipeline, .finished, fixture)

            let rows = try await fixture.outbox.rows(pipelineID: pipeline.id)
            // No queued status: the context holds the pipeline's name, known only once flowforge.yml is read.
            #expect(rows.map(\.status.state) == ["running", "success"])
            #expect(rows.map(\.status.sequence) == [20_001, 20_002])
            #expect(rows.allSatisfy {
                $0.status.context == "flowforge/ci/push" && $0.status.sha == Self.sha && $0.status.provider == "gitlab"
                    && $0.status.repositoryFullName == "group/sub/app" && $0.status.targetURL == "https://ci.example/dashboard/pipelines/\(pipeline.id)"
            })
        }
    }

    /// Each event kind has its own context: a pull request's status never replaces the push's.
    @Test(arguments: [("push", "flowforge/ci/push"), ("pull_request", "flowforge/ci/pr"), ("tag", "flowforge/ci/tag")])
    func eachEventKindHasItsOwnContext(event: String, context: String) async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            var pipeline = makePipeline(fixture, "github", event: event)
            pipeline.status = .running
            await publisher.publish(pipeline, .started, fixture)
            let rows = try await fixture.outbox.rows(pipelineID: fixture.pipelines["github"]!)
            #expect(rows.map(\.status.context) == [context])
        }
    }

    /// No forge gets a "Queued" status: the context carries the pipeline's `name:`, unknown until the worker
    /// reads flowforge.yml, so a pending status under the default name could stay pending forever (and on
    /// GitHub, which has no neutral state, a skipped pipeline's could never be cleared).
    @Test func noForgeGetsAQueuedStatus() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            for provider in ["github", "gitlab", "bitbucket"] {
                await publisher.publish(makePipeline(fixture, provider), .queued, fixture)
                let rows = try await fixture.outbox.rows(pipelineID: fixture.pipelines[provider]!)
                #expect(rows.isEmpty, "\(provider): \(rows)")
            }
        }
    }

    /// A skipped pipeline is never posted as success: GitLab gets `skipped`, Bitbucket the neutral
    /// `canceled`-like STOPPED (state `skipped` in the outbox), GitHub nothing at all.
    @Test func aSkippedPipelineIsNeverGreen() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            for provider in ["github", "gitlab", "bitbucket"] {
                var pipeline = makePipeline(fixture, provider, event: "pull_request")
                pipeline.status = .skipped
                pipeline.error = "when.branch excludes main"
                await publisher.publish(pipeline, .finished, fixture)
            }
            #expect(try await fixture.outbox.rows(pipelineID: fixture.pipelines["github"]!).isEmpty)
            for provider in ["gitlab", "bitbucket"] {
                let rows = try await fixture.outbox.rows(pipelineID: fixture.pipelines[provider]!)
                #expect(rows.map(\.status.state) == ["skipped"], "\(provider)")
                #expect(rows.first?.status.description == "Skipped: when.branch excludes main")
            }
        }
    }

    /// Abbreviated commit ids (Bitbucket's pull request hooks) are never posted; the full one is, once known.
    @Test func onlyFullCommitIDsArePosted() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            var pipeline = makePipeline(fixture, "bitbucket", event: "pull_request", sha: String(Self.sha.prefix(12)))
            await publisher.publish(pipeline, .queued, fixture)
            let early = try await fixture.outbox.rows(pipelineID: pipeline.id)
            #expect(early.isEmpty)
            pipeline.commitSHA = Self.sha
            pipeline.status = .running
            await publisher.publish(pipeline, .started, fixture)
            let rows = try await fixture.outbox.rows(pipelineID: pipeline.id)
            #expect(rows.map(\.status.sha) == [Self.sha])
        }
    }

    @Test func pipelinesWithoutAForgeRepositoryGetNoStatus() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            let gitRepository = UUID().uuidString.lowercased()
            try await fixture.database.withConnection { db in
                try await db.raw("""
                    INSERT INTO repositories (id, user_id, provider, full_name, clone_url, webhook_secret_encrypted, created_at)
                    SELECT \(bind: gitRepository), user_id, 'git', 'team/plain', 'https://git.example/plain.git', 'unused', 0
                    FROM repositories WHERE id = \(bind: fixture.repositories["github"]!)
                    """).run()
            }
            let id = fixture.pipelines["github"]!
            for repositoryID in [nil, gitRepository] as [String?] {
                let pipeline = PipelineRecord(
                    id: id, userID: "u", repositoryID: repositoryID, repoURL: "x", branch: "main", commitSHA: Self.sha,
                    event: "push", status: .failure, error: "step test failed", commands: nil, environment: [:], createdAt: 1
                )
                await publisher.publish(pipeline, .queued, fixture)
                await publisher.publish(pipeline, .finished, fixture)
            }
            #expect(try await fixture.outbox.rows(pipelineID: id).isEmpty)
        }
    }

    @Test func descriptionsAreOneShortLine() {
        let long = StatusContent(finished: .failure, error: String(repeating: "é", count: 200) + "\nsecond line")
        #expect(long.state == .failure)
        #expect(long.description.utf8.count <= 140 && long.description.hasPrefix("Failed: éé") && long.description.hasSuffix("…"))
        #expect(!long.description.contains("second line"))
        #expect(StatusContent(finished: .error, error: "no flowforge.yml").description == "Could not run: no flowforge.yml")
        #expect(StatusContent(finished: .canceled, error: "canceled").state == .canceled)
        #expect(StatusContent(finished: .success, error: nil) == StatusContent(state: .success, description: "Passed"))
    }
}

extension StatusPublisher {
    /// What a pipeline's fenced write does with the publisher's status: store it, then say so.
    func publish(_ pipeline: PipelineRecord, _ milestone: StatusMilestone, _ fixture: StatusStoreFixture) async {
        guard let status = await status(for: pipeline, at: milestone) else { return }
        _ = try? await fixture.outbox.enqueue(status, now: 1)
        await statusStored()
    }
}
