import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// Runs on the network `none` skip the daemon's network set-up (`NetworkDisabled`) and get FlowForge's
/// own `/etc/hosts`; what a step can reach stays what `none` gives.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerNetworkSetupTests {
    @Test func aLoneStepSkipsTheNetworkSetupAndStillHasLocalhost() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let script = [
            "ls /sys/class/net",
            "(echo served | nc -l -p 7000) &",
            // The listener starts in the background: try until it accepts, by name.
            "for i in $(seq 100); do nc localhost 7000 </dev/null && break; sleep 0.05; done",
            "echo '127.0.0.1 db.test' >> /etc/hosts",
            "grep -c db.test /etc/hosts",
            "until test -e /workspace/inspected; do sleep 0.05; done",
        ]
        let run = Task { await fixture.backend.run(fixture.request([DockerRunFixture.step("lone", script)]), observer: observer) }
        // `stepStarted` comes once the container is created: it can be inspected while the step waits.
        await observer.wait { $0.contains(.started("lone")) }
        let container = try #require(DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID)?.first)
        let details = try #require(DockerTestPrerequisites.inspect(container: container))
        let config = try #require(details["Config"] as? [String: Any])
        #expect(config["NetworkDisabled"] as? Bool == true)
        let mounts = try #require(details["Mounts"] as? [[String: Any]])
        #expect(mounts.contains { $0["Destination"] as? String == "/etc/hosts" && $0["Source"] as? String == fixture.hostsFile.path })
        try Data().write(to: fixture.workspace.appendingPathComponent("inspected"))

        #expect(await run.value == .success)
        let output = await observer.output(of: "lone")
        #expect(output.contains("\nlo\n") && !output.contains("eth0"), "\(output)")  // loopback only, as on `none`
        #expect(output.contains("\nserved\n"), "localhost did not reach the step's own listener: \(output)")
        #expect(output.contains("\n1\n"), "the step could not add a name to its /etc/hosts: \(output)")
        fixture.expectNothingLeft()
    }

    /// One step after another on `none`: no pod, each step a namespace of its own, one hosts file for all.
    @Test func aChainOfStepsRunsWithoutAPodAndSharesTheHostsFile() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let run = Task {
            await fixture.backend.run(
                fixture.request([
                    DockerRunFixture.step("name", ["echo '127.0.0.1 cache.test' >> /etc/hosts"]),
                    DockerRunFixture.step(
                        "use", ["grep -c cache.test /etc/hosts", "grep -c localhost /etc/hosts", "until test -e /workspace/looked; do sleep 0.05; done"]),
                ]), observer: observer)
        }
        await observer.wait { $0.contains(.started("use")) }
        let containers = fixture.containers()
        #expect(!containers.contains { DockerRunFixture.labels($0)[DockerBackend.roleLabel] == "pod" }, "a chain needs no pod")
        let use = try #require(containers.first { DockerRunFixture.labels($0)[DockerBackend.stepLabel] == "use" })
        #expect((use["Config"] as? [String: Any])?["NetworkDisabled"] as? Bool == true)
        try Data().write(to: fixture.workspace.appendingPathComponent("looked"))

        #expect(await run.value == .success)
        #expect(await observer.output(of: "use").contains("\n1\n+ grep -c localhost /etc/hosts\n2\n"))
        fixture.expectNothingLeft()
    }

    /// Steps that may run side by side keep their pod: one serves, the other reaches it on localhost.
    @Test func stepsSideBySideShareAPodsLoopback() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            fixture.request([
                DockerRunFixture.step("serve", ["echo from-the-other-step | nc -l -p 7100"]),
                DockerRunFixture.step("fetch", ["for i in $(seq 200); do nc localhost 7100 </dev/null && break; sleep 0.05; done"]),
            ], chained: false), observer: observer)

        #expect(outcome == .success, "\(outcome)")
        #expect(await observer.output(of: "fetch").contains("\nfrom-the-other-step\n"))
        fixture.expectNothingLeft()
    }

    @Test func onlyStepsThatMayRunSideBySideOverlap() {
        func step(_ name: String, after: [String] = []) -> PlanStep {
            PlanStep(name: name, image: "i", commands: ["true"], dependsOn: after)
        }
        let chain = Plan(steps: [step("a"), step("b", after: ["a"]), step("c", after: ["b"])])
        #expect(!StepGraph.stepsMayOverlap(chain, maxParallelSteps: 4))
        // Ordered through another step's dependency, not only by the one listed just before.
        let throughJoin = Plan(steps: [step("a"), step("b", after: ["a"]), step("c", after: ["b", "a"])])
        #expect(!StepGraph.stepsMayOverlap(throughJoin, maxParallelSteps: 4))
        let fanOut = Plan(steps: [step("a"), step("b", after: ["a"]), step("c", after: ["a"])])
        #expect(StepGraph.stepsMayOverlap(fanOut, maxParallelSteps: 4))
        let independent = Plan(steps: [step("a"), step("b")])
        #expect(StepGraph.stepsMayOverlap(independent, maxParallelSteps: 2))
        #expect(!StepGraph.stepsMayOverlap(independent, maxParallelSteps: 1))
        #expect(!StepGraph.stepsMayOverlap(Plan(steps: [step("a")]), maxParallelSteps: 4))
    }

    @Test func onlyTheNoneNetworkSkipsTheSetup() throws {
        let lone = Self.config(networkMode: "none").withoutNetworkSetup(hostsFile: "/w/p.hosts")
        #expect(lone.NetworkDisabled == true)
        #expect(lone.HostConfig.Mounts.map(\.Target) == ["/workspace", "/etc/hosts"])
        #expect(lone.HostConfig.Mounts.last?.ReadOnly == false)  // as Docker's own: a step may add names

        let joined = Self.config(networkMode: "container:pod").withoutNetworkSetup(hostsFile: "/w/p.hosts")
        #expect(joined.NetworkDisabled == nil)
        #expect(joined.HostConfig.Mounts.map(\.Source) == ["/w/p", "/w/p.hosts"])

        let encoded = try String(decoding: JSONEncoder().encode(lone), as: UTF8.self)
        #expect(encoded.contains(#""NetworkDisabled":true"#))
        #expect(try !String(decoding: JSONEncoder().encode(Self.config(networkMode: "bridge")), as: UTF8.self).contains("NetworkDisabled"))
    }

    @Test func aRunOnAnotherNetworkKeepsTheDaemonsSetUp() throws {
        let request = RunRequest(
            pipelineID: "p", plan: Plan(steps: [DockerRunFixture.step("s", ["true"])]), workspace: "/w/p/", timeout: .seconds(1))
        for network in ["bridge", "flowforge-builds"] {
            let config = try Self.run(request, network: network).withNetworkSetup(Self.config(networkMode: network))
            #expect(config.NetworkDisabled == nil)
            #expect(config.HostConfig.Mounts.map(\.Target) == ["/workspace"])
        }
        // The server names the folder for the run's own files; a local run (whose workspace is the user's
        // directory) keeps it in the temporary folder, never beside or inside that directory.
        var server = request
        server.runFiles = "/w/"
        #expect(try Self.run(server, network: "none").hostsFile.path == "/w/p.hosts")
        #expect(try Self.run(request, network: "none").hostsFile.path
            == FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-p/hosts").path)
        // A pipeline id is made one file name, whatever it holds.
        var odd = server
        odd.pipelineID = "../x"
        #expect(try Self.run(odd, network: "none").hostsFile.deletingLastPathComponent().path == "/w")
    }

    /// A run that is never executed: for what it derives from its request and network.
    private static func run(_ request: RunRequest, network: String) throws -> DockerPipelineRun<RecordingObserver> {
        let logger = Logger(label: "flowforge.runner.tests")
        let client = DockerClient(host: try DockerHost("unix:///nonexistent.sock"), http: .shared, logger: logger)
        return DockerPipelineRun(client: client, request: request, observer: RecordingObserver(), network: network, podImage: nil, logger: logger)
    }

    /// A local run's folder is made by the run, for its user alone; one that already exists (someone else's,
    /// prepared under the name) is refused rather than used.
    @Test func aLocalRunsHostsFileIsInAFolderOnlyItsUserEnters() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("hosts")
        try DockerPipelineRun<RecordingObserver>.writeHostsFileBlocking(file, makingFolder: true)
        let folderMode = try #require(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int)
        let fileMode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int)
        #expect(folderMode & 0o777 == 0o700)
        #expect(fileMode & 0o777 == 0o644)  // whatever the umask: a step's non-root user reads it
        #expect(try String(contentsOf: file, encoding: .utf8).hasPrefix("127.0.0.1\tlocalhost\n"))

        #expect(throws: HostsFileError.self) { try DockerPipelineRun<RecordingObserver>.writeHostsFileBlocking(file, makingFolder: true) }
        // In a folder FlowForge owns (the server's), a link in the file's place is never followed.
        let target = folder.appendingPathComponent("target")
        let link = folder.appendingPathComponent("p.hosts")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(throws: HostsFileError.self) { try DockerPipelineRun<RecordingObserver>.writeHostsFileBlocking(link, makingFolder: false) }
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    private static func config(networkMode: String) -> DockerContainerConfig {
        DockerContainerConfig(
            Image: "i", Cmd: ["true"], Labels: [:],
            HostConfig: .step(networkMode: networkMode, mounts: [.init(Source: "/w/p", Target: "/workspace")], limits: .default))
    }
}
