import FlowForgeTestSupport
import Foundation
import Logging
import Synchronization
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// What a worker does when its hold on a running job wavers: a lease another claim took is let go (and the
/// slot goes on with the next job), a renewal that fails for a moment is retried, not fatal.
@Suite("worker leases", .needsDocker, .dockerPrerequisites)
struct WorkerLeaseTests {
    /// A step that runs until the test creates `/workspace/go`, then prints `finished`.
    static let waitingStep = "while [ ! -f /workspace/go ]; do sleep 0.05; done; echo finished"

    @Test func aLostLeaseStopsTheRunAndTheSlotGoesOn() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-lease-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "lease.git", root: root)
        try repository.commit(["README": "x"])
        let environment = pipelineEnvironment(["MAX_CONCURRENT_PIPELINES": "1", "FLOWFORGE_JOB_LEASE_SECONDS": "3"])
        try await withTestApp(environment: environment) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let first = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": [Self.waitingStep]])
            _ = try await client.awaitPipeline(first, key: key, "to run its step") { steps($0).first?.status == "running" }

            // Another claim takes the job, as a worker would once this one's lease had run out.
            let database = try openDatabase(configuration, logger: Logger(label: "test.thief"))
            try await database.withConnection { db in
                try await db.raw("UPDATE jobs SET lease_owner = 'thief/1' WHERE pipeline_id = \(bind: first)").run()
                // The thief's job counts as a running build of the account: on the free plan (one build at a
                // time) the next pipeline would wait for it. This test is about the slot, not the plan.
                try await db.raw("UPDATE users SET plan = 'pro' WHERE id = (SELECT user_id FROM pipelines WHERE id = \(bind: first))").run()
            }
            await database.shutdown()

            // Within a renewal (a third of the lease) the worker stops the run and removes its containers...
            let deadline = ContinuousClock.now + .seconds(30)
            while DockerTestPrerequisites.containerIDs(pipelineID: first) != [], ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(DockerTestPrerequisites.containerIDs(pipelineID: first) == [])
            // ...and its one slot takes the next job.
            let second = try await client.createPipeline(key: key, ["repo_url": repository.fileURL, "commands": ["echo next"]])
            let done = try await client.awaitPipeline(second, key: key)
            #expect(done["status"] as? String == "success", "\(done)")

            // The thief holds the first pipeline now: the stopped run recorded nothing final for it.
            let stolen = try json(try await client.send(.get, "/api/v1/pipelines/\(first)", token: key))
            #expect(stolen["status"] as? String == "running", "\(stolen)")
            #expect(steps(stolen).first?.status == "running")
        }
    }

    @Test func aRenewalThatFailsForAMomentDoesNotStopTheRun() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-renew-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "renew.git", root: root)
        try repository.commit(["README": "x"])
        let directory = root.appendingPathComponent("data")
        let made = try await TestDatabase.make(in: root)
        var environment = baseTestEnvironment(directory: directory, databaseURL: made.url)
        environment.merge(pipelineEnvironment(["FLOWFORGE_JOB_LEASE_SECONDS": "2"])) { _, new in new }
        let configuration = try AppConfiguration.fromEnvironment(environment)
        let services = try await openServices(configuration: configuration, logger: nil)
        let flaky = FlakyRenewals(inner: services.jobs, failures: 2)
        let worker = Task { try await services.workerService(jobs: flaky).run() }

        let userID = UUID().uuidString.lowercased()
        try await services.users.create(UserRecord(id: userID, email: "renew@example.com", passwordHash: "x", plan: "free", createdAt: 0, updatedAt: 0))
        let pipeline = PipelineRecord(
            id: UUID().uuidString.lowercased(), userID: userID, repoURL: repository.fileURL, branch: "main", commitSHA: nil,
            event: "api", commands: ["sleep 3", "echo survived"], environment: [:], createdAt: Clock.nowMillis())
        try await services.launcher.launch(pipeline, logger: Logger(label: "test"))

        var finished: PipelineRecord?
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let now = try await services.pipelines.find(id: pipeline.id), now.status.isFinished { finished = now; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        worker.cancel()
        _ = try? await worker.value
        #expect(flaky.failed == 2, "the renewals never failed: the test proves nothing")
        #expect(finished?.status == .success, "\(String(describing: finished))")
        let log = try await services.logs.read(pipelineID: pipeline.id, step: "run")
        #expect(log.map { String(decoding: $0, as: UTF8.self) }?.contains("survived") == true)
        await services.database.shutdown()
        try? await services.gitThreadPool.shutdownGracefully()
        await made.drop()
    }
}

/// The real queue, except that its first `failures` renewals throw as a database that is briefly away would.
final class FlakyRenewals: JobQueue {
    let inner: any JobQueue
    private let remaining: Mutex<Int>
    private let count = Mutex(0)

    init(inner: any JobQueue, failures: Int) {
        self.inner = inner
        self.remaining = Mutex(failures)
    }

    var failed: Int { count.withLock { $0 } }

    struct Unavailable: Error {}

    func claim(worker: String, lease: Int64) async throws -> ClaimedJob? { try await inner.claim(worker: worker, lease: lease) }
    func complete(_ job: ClaimedJob) async throws -> Bool { try await inner.complete(job) }
    func release(_ job: ClaimedJob) async throws -> Bool { try await inner.release(job) }
    func renew(_ job: ClaimedJob, lease: Int64) async throws -> Bool {
        let fail = remaining.withLock { left in
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        if fail {
            count.withLock { $0 += 1 }
            throw Unavailable()
        }
        return try await inner.renew(job, lease: lease)
    }
}
