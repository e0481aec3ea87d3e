import Foundation
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// What the lifecycle observer puts in the outbox, on a real database.
@Suite("status publisher")
struct StatusPublisherTests {
    @Test func milestonesBecomeOrderedStatusesWithLinkAndContext() async throws {
        try await StatusStoreFixture.with { fixture in
            let publisher = StatusPublisher(outbox: fixture.outbox, frontendURL: "https://ci.example", signal: JobSignal(), logger: Logger(label: "test"))
            var pipeline = PipelineRecord(
                id: fixture.pipelines["gitlab"]!, userID: "u", repositoryID: fixture.repositories["gitlab"]!, repoURL: "x",
                branch: "main", commitSHA: "abc123", event: "push", commands: nil, environment: [:], createdAt: 5_000
            )
            await publisher.publish(pipeline, .queued, fixture)
            pipeline.status = .running
            await publisher.publish(pipeline, .started, fixture)
            pipeline.status = .skipped
            pipeline.error = "when.branch excludes main"
            await publisher.publish(pipeline, .finished, fixture)

            let rows = try await fixture.outbox.rows(pipelineID: pipeline.id)
            #expect(rows.map(\.status.state) == ["pending", "running", "success"])
            #expect(rows.map(\.status.sequence) == [20_000, 20_001, 20_002])
            #expect(rows.last?.status.description == "skipped: when.branch excludes main")
            #expect(rows.allSatisfy {
                $0.status.context == "flowforge/ci" && $0.status.sha == "abc123" && $0.status.provider == "gitlab"
                    && $0.status.repositoryFullName == "group/sub/app" && $0.status.targetURL == "https://ci.example/pipelines/\(pipeline.id)"
            })
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
                    id: id, userID: "u", repositoryID: repositoryID, repoURL: "x", branch: "main", commitSHA: "abc123",
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
