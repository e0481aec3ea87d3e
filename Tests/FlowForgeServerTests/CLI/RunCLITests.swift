import FlowForgeTestSupport
import Foundation
import Testing

/// `flowforge run` as a user runs it: the built binary on a working copy, local backend, no server.
@Suite("CLI: flowforge run")
struct RunCLITests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func run(_ file: String, _ arguments: [String] = []) async throws -> (status: Int32?, output: String) {
        try file.write(to: directory.appendingPathComponent("flowforge.yml"), atomically: true, encoding: .utf8)
        let process = try ServerProcess(["run", directory.path, "--backend", "local"] + arguments, environment: ["NO_COLOR": "1"])
        let status = await process.waitForExit(timeout: .seconds(120))
        return (status, process.output)
    }

    @Test func aPassingPipelineShowsEachStepAndASummaryAndExitsZero() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try "uncommitted\n".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let result = try await run("""
            steps:
              - name: build
                env:
                  TOKEN: {from_secret: token}
                commands:
                  - echo "building on $FLOWFORGE_BRANCH for $FLOWFORGE_EVENT with $MODE"
                  - echo "token=$TOKEN"
                  - cat notes.txt
              - name: test
                commands: [echo testing-$((6*7))]
              - name: release
                when: {branch: release}
                commands: [echo releasing]
            """, ["--secret", "token=hunter2", "--env", "MODE=fast", "--branch", "main"])

        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("on the local backend"), "\(result.output)")
        #expect(result.output.contains("==> build\n"), "a header per step:\n\(result.output)")
        #expect(result.output.contains("NOT isolated"), "\(result.output)")
        #expect(result.output.contains("building on main for push with fast\n"), "\(result.output)")
        #expect(result.output.contains("token=********\n") && !result.output.contains("hunter2"), "the secret is masked:\n\(result.output)")
        #expect(result.output.contains("uncommitted\n"), "the working copy as it is on disk:\n\(result.output)")
        #expect(result.output.contains("==> test\n") && result.output.contains("testing-42\n"), "\(result.output)")
        #expect(result.output.contains("<== test: success, exit 0"), "\(result.output)")
        #expect(result.output.range(of: #"build +success +\d+\.\d\d s"#, options: .regularExpression) != nil, "a summary table:\n\(result.output)")
        #expect(!result.output.contains("releasing"), "a step whose when does not match is not run:\n\(result.output)")
        #expect(result.output.hasSuffix("pipeline: success\n"), "\(result.output)")
    }

    @Test func aFailingStepMakesExitStatusOneAndSkipsTheRest() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await run("""
            steps:
              - name: check
                commands: ["echo about-to-fail", "exit 4"]
              - name: deploy
                commands: [echo deploying]
            """)

        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("about-to-fail\n") && result.output.contains("<== check: failure, exit 4"), "\(result.output)")
        #expect(!result.output.contains("==> deploy"), "\(result.output)")
        #expect(result.output.range(of: #"deploy +skipped"#, options: .regularExpression) != nil, "\(result.output)")
        #expect(result.output.contains("pipeline: failure (step check exited with code 4)"), "\(result.output)")
    }

    @Test func aBrokenFileMakesExitStatusTwoWithTheLine() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await run("""
            steps:
              - name: a
                comands: [echo x]
            """)

        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("flowforge.yml:3: steps.a has an unknown key `comands` (did you mean `commands`?)"), "\(result.output)")
        #expect(!result.output.contains("==>"), "nothing ran:\n\(result.output)")
    }

    @Test func stepRunsOneStepAndWhatItDependsOn() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = """
            steps:
              - name: setup
                commands: [echo setting-up]
              - name: lint
                depends_on: []
                commands: [echo linting]
              - name: test
                depends_on: [setup]
                commands: [echo testing]
            """
        let result = try await run(file, ["--step", "test"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("setting-up\n") && result.output.contains("testing\n"), "\(result.output)")
        #expect(!result.output.contains("linting"), "\(result.output)")

        let unknown = try await run(file, ["--step", "tset"])
        #expect(unknown.status == 2, "\(unknown.output)")
        #expect(unknown.output.contains("--step tset: the pipeline has no step of that name") && unknown.output.contains("did you mean `test`?"), "\(unknown.output)")
    }

    @Test func ctrlCStopsTheRunningStepsAndEverythingTheyStarted() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
            steps:
              - name: long
                commands:
                  - "sleep 300 & echo $! >> pids"
                  - "sh -c 'sleep 301 & echo $! >> pids; wait' & echo $! >> pids"
                  - "while [ $(wc -l < pids) -lt 3 ]; do sleep 0.01; done; echo children-started"
                  - wait
              - name: next
                commands: [echo never]
            """.write(to: directory.appendingPathComponent("flowforge.yml"), atomically: true, encoding: .utf8)
        let process = try ServerProcess(["run", directory.path, "--backend", "local"], environment: ["NO_COLOR": "1"])
        let deadline = ContinuousClock.now + .seconds(60)
        // The line itself, not the echo of the command that prints it (`+ …; echo children-started`).
        while !process.output.contains("\nchildren-started\n"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        process.signal(SIGINT)

        #expect(await process.waitForExit(timeout: .seconds(30)) == 130, "\(process.output)")
        #expect(process.output.contains("interrupted"), "\(process.output)")
        #expect(process.output.range(of: #"long +canceled"#, options: .regularExpression) != nil, "\(process.output)")
        #expect(!process.output.contains("never"), "\(process.output)")
        let pids = try String(contentsOf: directory.appendingPathComponent("pids"), encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(pids.count == 3)
        #expect(try await stillRunning(pids).isEmpty, "processes of the step still run after flowforge run ended")
    }
}

/// `flowforge run --backend docker`: the same file in containers, the working copy mounted at /workspace.
@Suite("CLI: flowforge run on Docker", .needsDocker, .dockerPrerequisites)
struct RunCLIDockerTests {
    @Test func stepsRunInContainersOnTheWorkingCopy() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-run-docker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "on-disk\n".write(to: directory.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        try """
            steps:
              - name: read
                commands: ["pwd", "cat notes.txt", "echo written > out.txt"]
              - name: fail
                commands: ["exit 5"]
            """.write(to: directory.appendingPathComponent("flowforge.yml"), atomically: true, encoding: .utf8)
        let process = try ServerProcess(["run", directory.path, "--backend", "docker"], environment: [
            "NO_COLOR": "1", "DOCKER_HOST": DockerTestPrerequisites.host, "FLOWFORGE_DOCKER_NETWORK": "none",
            "DEFAULT_DOCKER_IMAGE": DockerTestPrerequisites.testImage, "FLOWFORGE_POD_IMAGE": DockerTestPrerequisites.testImage,
        ])
        let status = await process.waitForExit(timeout: .seconds(120))

        #expect(status == 1, "\(process.output)")
        #expect(process.output.contains("on the docker backend"), "\(process.output)")
        #expect(process.output.contains("+ pwd\n/workspace\n") && process.output.contains("+ cat notes.txt\non-disk\n"), "\(process.output)")
        #expect(process.output.contains("<== fail: failure, exit 5"), "\(process.output)")
        #expect(!process.output.contains("NOT isolated"), "\(process.output)")
        #expect(try String(contentsOf: directory.appendingPathComponent("out.txt"), encoding: .utf8) == "written\n")
        // On the network none the run's own /etc/hosts goes to a folder of its own in the temporary folder,
        // never beside the user's directory, and goes away with the run.
        #expect(!FileManager.default.fileExists(atPath: directory.path + ".hosts"))
        let temporary = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
        #expect(!temporary.contains { $0.hasPrefix("flowforge-local-") }, "\(temporary)")
    }
}
