import FlowForgeTestSupport
import Foundation
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// `flowforge serve` as a real process, stopped the ways operators and machines stop it: SIGTERM with
/// pipelines running (a deploy), and SIGKILL (a crash), then started again on the same data directory.
@Suite("server restarts", .needsDocker, .dockerPrerequisites, .serialized)
struct ServerRestartTests {
    /// Prints `output-42` (the script's own text, echoed in the log, says `$((40+2))`), then runs until the
    /// test creates `/workspace/go`.
    static let waitingStep = "echo output-$((40+2)); while [ ! -f /workspace/go ]; do sleep 0.05; done; echo finished"

    /// One data directory and database, served by successive processes.
    struct Installation {
        let root: URL
        let environment: [String: String]
        let databaseURL: String
        let drop: @Sendable () async -> Void

        static func make(_ extra: [String: String]) async throws -> Installation {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-restart-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let made = try await TestDatabase.make(in: root)
            var environment = baseTestEnvironment(directory: root.appendingPathComponent("data"), databaseURL: made.url)
            environment.merge(pipelineEnvironment(["LOG_LEVEL": "info", "FLOWFORGE_JOB_LEASE_SECONDS": "2"])) { _, new in new }
            environment.merge(extra) { _, new in new }
            return Installation(root: root, environment: environment, databaseURL: made.url, drop: made.drop)
        }

        func serve(port: Int) async throws -> ServerProcess {
            let server = try ServerProcess(["serve", "--port", "\(port)"], environment: environment)
            let up = await server.waitUntilListening(port: port)
            #expect(up, "flowforge serve did not start:\n\(server.output)")
            if !up { throw CancellationError() }
            return server
        }

        func workspace(_ pipelineID: String) -> URL {
            root.appendingPathComponent("data/workspaces/\(pipelineID)")
        }

        /// Creates the file `waitingStep` waits for in the pipeline's workspace.
        func letStepFinish(_ pipelineID: String) {
            _ = FileManager.default.createFile(atPath: workspace(pipelineID).appendingPathComponent("go").path, contents: nil)
        }

        /// The pipeline's job row as (status, attempts).
        func job(_ pipelineID: String) async throws -> (status: String, attempts: Int) {
            let configuration = try AppConfiguration.fromEnvironment(environment)
            let database = try openDatabase(configuration, logger: Logger(label: "test.peek"))
            defer { Task { await database.shutdown() } }
            return try await database.withConnection { db in
                let row = try #require(try await db.raw("SELECT status, attempts FROM jobs WHERE pipeline_id = \(bind: pipelineID)").first())
                return (try row.decode(column: "status", as: String.self), try row.decode(column: "attempts", as: Int.self))
            }
        }

        func remove() async {
            await drop()
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// Creates an account's API key and a pipeline running `waitingStep`, and waits until the step runs.
    static func startWaitingPipeline(_ client: ServerProcessClient, repository: GitTestRepository) async throws -> (key: String, id: String) {
        let key = try await client.apiKey()
        let id = try #require(try await client.object(.POST, "/api/v1/pipelines", token: key, json: [
            "repo_url": repository.fileURL, "commands": [waitingStep],
        ])["id"] as? String)
        _ = try await client.awaitPipeline(id, key: key, "to run its step") { steps($0).first?.status == "running" }
        return (key, id)
    }

    static func repository(in root: URL) throws -> GitTestRepository {
        let repository = try GitTestRepository(name: "restart.git", root: root.appendingPathComponent("git"))
        try repository.commit(["README": "x"])
        return repository
    }

    @Test func killedMidStepThePipelineFinishesExactlyOnceAfterRestart() async throws {
        let installation = try await Installation.make([:])
        defer { Task { await installation.remove() } }
        let repository = try Self.repository(in: installation.root)
        let port = ServerProcess.freePort()
        var server = try await installation.serve(port: port)
        let client = ServerProcessClient(port: port)
        let (key, id) = try await Self.startWaitingPipeline(client, repository: repository)
        let firstContainers = try #require(DockerTestPrerequisites.containerIDs(pipelineID: id))
        #expect(!firstContainers.isEmpty)

        server.signal(SIGKILL)
        #expect(await server.waitForExit(timeout: .seconds(10)) != nil)
        server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }

        // Once the dead process's lease runs out, the new one takes the job over: the dead attempt's
        // containers go first, then the step runs afresh.
        _ = try await client.awaitPipeline(id, key: key, "to run its step again") { _ in
            let now = DockerTestPrerequisites.containerIDs(pipelineID: id) ?? []
            return !now.isEmpty && Set(now).isDisjoint(with: firstContainers)
        }
        #expect(Set(DockerTestPrerequisites.containerIDs(pipelineID: id) ?? []).isDisjoint(with: firstContainers))
        _ = try await client.awaitPipeline(id, key: key, "to run its step") { steps($0).first?.status == "running" }
        installation.letStepFinish(id)

        let finished = try await client.awaitPipeline(id, key: key, "to finish") { ($0["status"] as? String) == "success" }
        #expect(steps(finished).map(\.status) == ["success"])
        let log = try await client.send(.GET, "/api/v1/pipelines/\(id)/logs", token: key).body
        #expect(log.components(separatedBy: "output-42").count == 2, "the log holds one attempt's output:\n\(log)")
        #expect(log.contains("finished"))
        let job = try await installation.job(id)
        #expect(job.status == "done" && job.attempts == 2)
        await awaitCleanedUp(id)
    }

    @Test func sigtermLetsARunningPipelineFinishWithinTheGrace() async throws {
        let installation = try await Installation.make(["FLOWFORGE_SHUTDOWN_GRACE": "60"])
        defer { Task { await installation.remove() } }
        let repository = try Self.repository(in: installation.root)
        let port = ServerProcess.freePort()
        let server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }
        let client = ServerProcessClient(port: port)
        let (_, id) = try await Self.startWaitingPipeline(client, repository: repository)

        server.signal(SIGTERM)
        // Still draining: the step is let run.
        try await Task.sleep(for: .seconds(1))
        #expect(server.process.isRunning, "serve exited without waiting for its running pipeline:\n\(server.output)")
        installation.letStepFinish(id)
        let status = await server.waitForExit(timeout: .seconds(60))
        #expect(status == 0, "\(server.output)")
        let job = try await installation.job(id)
        #expect(job.status == "done" && job.attempts == 1)
    }

    @Test func sigtermPastTheGraceHandsTheJobBackWithoutUsingAnAttempt() async throws {
        let installation = try await Installation.make(["FLOWFORGE_SHUTDOWN_GRACE": "1", "FLOWFORGE_JOB_LEASE_SECONDS": "60"])
        defer { Task { await installation.remove() } }
        let repository = try Self.repository(in: installation.root)
        let port = ServerProcess.freePort()
        var server = try await installation.serve(port: port)
        let client = ServerProcessClient(port: port)
        let (key, id) = try await Self.startWaitingPipeline(client, repository: repository)

        server.signal(SIGTERM)
        let status = await server.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "\(server.output)")
        let job = try await installation.job(id)
        #expect(job.status == "queued" && job.attempts == 0, "\(job)")
        #expect(DockerTestPrerequisites.containerIDs(pipelineID: id) == [])

        // The next process takes it at once (no lease to wait out: it is 60 s here) as a first attempt.
        server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }
        _ = try await client.awaitPipeline(id, key: key, "to run its step again", timeout: .seconds(30)) { steps($0).first?.status == "running" }
        installation.letStepFinish(id)
        let finished = try await client.awaitPipeline(id, key: key, "to finish") { ($0["status"] as? String) == "success" }
        #expect(steps(finished).map(\.status) == ["success"])
        let log = try await client.send(.GET, "/api/v1/pipelines/\(id)/logs", token: key).body
        #expect(log.components(separatedBy: "output-42").count == 2, "\(log)")
        #expect(try await installation.job(id).attempts == 1)
    }
}

/// SIGTERM while a pipeline's checkout hangs on a git server that never answers: the checkout is cut short
/// when the grace period ends, and the job goes back to the queue untouched, not ended as `error`.
@Suite("server restarts during checkout", .needsDocker, .dockerPrerequisites)
struct ServerCheckoutShutdownTests {
    @Test func sigtermDuringCheckoutHandsTheJobBack() async throws {
        let git = try GitTestServer()
        defer { git.stop() }
        // Accepts connections and never answers.
        let staller = try ScriptedTestServer.stalling(first: 1_000, thenRelayTo: git.port)
        defer { staller.stop() }
        let installation = try await ServerRestartTests.Installation.make(["FLOWFORGE_SHUTDOWN_GRACE": "1", "FLOWFORGE_JOB_LEASE_SECONDS": "60"])
        defer { Task { await installation.remove() } }
        let port = ServerProcess.freePort()
        let server = try await installation.serve(port: port)
        defer { server.signal(SIGKILL) }
        let client = ServerProcessClient(port: port)
        let key = try await client.apiKey()
        let id = try #require(try await client.object(.POST, "/api/v1/pipelines", token: key, json: [
            "repo_url": "http://127.0.0.1:\(staller.port)/slow.git", "commands": ["true"],
        ])["id"] as? String)
        _ = try await client.awaitPipeline(id, key: key, "to start its checkout") { ($0["status"] as? String) == "running" }
        let deadline = ContinuousClock.now + .seconds(20)
        while staller.count() == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(staller.count() > 0, "the checkout never reached the git server")

        server.signal(SIGTERM)
        let status = await server.waitForExit(timeout: .seconds(30))
        #expect(status == 0, "\(server.output)")
        let job = try await installation.job(id)
        #expect(job.status == "queued" && job.attempts == 0, "\(job)")
        let configuration = try AppConfiguration.fromEnvironment(installation.environment)
        let database = try openDatabase(configuration, logger: Logger(label: "test.peek"))
        let pipeline = try await SQLPipelineRepository(database: database).find(id: id)
        await database.shutdown()
        #expect(pipeline?.status == .pending && pipeline?.error == nil, "\(String(describing: pipeline))")
    }
}
