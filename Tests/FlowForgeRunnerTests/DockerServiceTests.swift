import FlowForgeCore
import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// Services in the pipeline's pod on the real daemon: reached on localhost once their ports accept
/// connections, failing the run when they die, bounded by the readiness timeout, removed at the end.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerServiceTests {
    static func service(_ name: String, _ commands: [String], ports: [Int] = [], environment: [String: String] = [:]) -> PlanService {
        PlanService(name: name, image: DockerRunFixture.image, commands: commands, environment: environment, ports: ports)
    }

    func request(_ fixture: DockerRunFixture, _ steps: [PlanStep], services: [PlanService]) -> RunRequest {
        var request = fixture.request(steps)
        request.plan.services = services
        return request
    }

    @Test func aStepReachesAServiceOnLocalhostOnceItsPortIsOpen() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        // The pause before httpd listens is what a database's start-up looks like: without the readiness
        // wait, the step's single wget would find the port closed.
        let web = Self.service("web", [
            "mkdir -p /www", "echo \"$GREETING from the service\" > /www/index.html", "sleep 1", "httpd -f -p 8080 -h /www",
        ], ports: [8080], environment: ["GREETING": "hello"])
        let outcome = await fixture.backend.run(
            request(fixture, [DockerRunFixture.step("fetch", ["wget -q -O - http://localhost:8080/"])], services: [web]),
            observer: observer)

        let timeline = await observer.timeline()
        #expect(outcome == .success, "\(timeline)")
        #expect(await observer.output(of: "fetch").contains("hello from the service\n"))
        let events = await observer.events
        let serviceStart = try #require(events.firstIndex(of: .started("service web")))
        #expect(serviceStart < events.firstIndex(of: .started("fetch"))!, "the service starts before the steps")
        #expect(events.last == .finished("service web", 0), "stopped by FlowForge after the last step: \(timeline)")
        #expect(await observer.output(of: "service web").contains("+ httpd -f -p 8080 -h /www\n"))
        fixture.expectNothingLeft()
    }

    @Test func aServiceSecretIsGivenAndMaskedInItsOutput() async throws {
        let fixture = try DockerRunFixture()
        let recorder = RecordingObserver()
        var talker = Self.service("talker", ["echo \"token is $TOKEN\"", "nc -ll -p 7070 -e echo hi"], ports: [7070])
        talker.secrets = ["TOKEN": "api_token"]
        var request = request(fixture, [DockerRunFixture.step("talk", ["nc 127.0.0.1 7070 </dev/null"])], services: [talker])
        request.secrets = ["api_token": "s3cr3t-Value-42"]
        let outcome = await fixture.backend.run(request, observer: MaskingObserver(base: recorder, secrets: ["s3cr3t-Value-42"]))

        let timeline = await recorder.timeline()
        #expect(outcome == .success, "\(timeline)")
        let output = await recorder.output(of: "service talker")
        #expect(output.contains("token is ********\n"), "\(output)")
        #expect(!output.contains("s3cr3t"))
        #expect(await recorder.output(of: "talk").contains("hi\n"))
        fixture.expectNothingLeft()
    }

    @Test func aServiceThatDiesFailsTheRunNamingItAndItsExitCode() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        // Ready on its port, then it dies once the step is under way; the step would otherwise run 60 s.
        let flaky = Self.service("flaky", [
            "httpd -p 9000", "while [ ! -e /workspace/step-started ]; do sleep 0.1; done", "echo going down", "exit 3",
        ], ports: [9000])
        let outcome = await fixture.backend.run(
            request(fixture, [
                DockerRunFixture.step("work", ["touch step-started", "sleep 60"]),
                DockerRunFixture.step("after", ["echo never"]),
            ], services: [flaky]),
            observer: observer)

        let timeline = await observer.timeline()
        #expect(outcome == .failure(step: "service flaky", message: """
            service flaky exited with code 3 before the steps ended; its output is in the log under "service flaky"
            """), "\(timeline)")
        let events = await observer.events
        #expect(events.contains(.finished("service flaky", 3)))
        #expect(events.contains(.finished("work", nil)), "the running step is killed: \(timeline)")
        #expect(!events.contains(.started("after")))
        #expect(await observer.output(of: "service flaky").contains("going down\n"))
        fixture.expectNothingLeft()
    }

    @Test func portsThatStayClosedEndTheRunWithAnErrorNamingThem() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        var request = request(fixture, [DockerRunFixture.step("never", ["echo never"])], services: [
            Self.service("ready", ["httpd -f -p 7001"], ports: [7001]),
            Self.service("silent", ["echo not listening", "sleep 600"], ports: [7002, 7003]),
        ])
        request.serviceReadyTimeout = .seconds(3)
        let outcome = await fixture.backend.run(request, observer: observer)

        let timeline = await observer.timeline()
        #expect(outcome == .error("""
            service silent (ports 7002, 7003) did not accept TCP connections on localhost within 3s \
            (FLOWFORGE_SERVICE_READY_TIMEOUT); check that the service listens on that port (on 0.0.0.0 or \
            127.0.0.1) and see its output in the log, or ask the operator to raise the timeout
            """), "\(timeline)")
        let events = await observer.events
        #expect(!events.contains(.started("never")), "no step starts before the services are ready")
        #expect(events.contains(.finished("service silent", 0)))
        #expect(await observer.output(of: "service silent").contains("not listening\n"))
        fixture.expectNothingLeft()
    }

    @Test func serviceContainersAreConfinedLabelledAndRemovedOnCancel() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let run = Task {
            await fixture.backend.run(
                request(fixture, [DockerRunFixture.step("hold", ["echo holding", "sleep 60"])], services: [
                    Self.service("db", ["nc -ll -p 5432 -e true"], ports: [5432]),
                ]),
                observer: observer)
        }
        await observer.wait { events in
            events.contains { if case .output("hold", let chunk) = $0 { String(decoding: chunk, as: UTF8.self).contains("holding") } else { false } }
        }
        let containers = try #require(DockerTestPrerequisites.containerIDs(pipelineID: fixture.pipelineID))
        let service = try #require(containers.compactMap(DockerTestPrerequisites.inspect(container:)).first { info in
            ((info["Config"] as? [String: Any])?["Labels"] as? [String: String])?["flowforge.service"] == "db"
        })
        let host = try #require(service["HostConfig"] as? [String: Any])
        #expect((host["NetworkMode"] as? String)?.hasPrefix("container:") == true, "in the pod's network namespace")
        #expect(host["CapDrop"] as? [String] == ["ALL"])
        #expect(host["Privileged"] as? Bool == false)
        #expect(((service["Config"] as? [String: Any])?["Labels"] as? [String: String])?["flowforge.pipeline"] == fixture.pipelineID)

        run.cancel()
        #expect(await run.value == .canceled)
        #expect(await observer.events.contains(.finished("service db", nil)))
        fixture.expectNothingLeft()
    }

    @Test func aServiceThatCannotStartIsAnErrorNamingIt() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        // Loopback port 9 has no registry: the pull fails at once, without the network.
        var broken = Self.service("cache", ["true"])
        broken.image = "127.0.0.1:9/flowforge-test/absent:1"
        let outcome = await fixture.backend.run(
            request(fixture, [DockerRunFixture.step("never", ["echo never"])], services: [broken]), observer: observer)

        guard case .error(let message) = outcome else {
            Issue.record("expected an error, got \(outcome)")
            return
        }
        #expect(message.hasPrefix("service cache could not be started: image \"127.0.0.1:9/flowforge-test/absent:1\" could not be pulled"), "\(message)")
        #expect(await observer.events == [.started("service cache"), .finished("service cache", nil)])
        fixture.expectNothingLeft()
    }

    @Test func thePipelineTimeoutAlsoEndsTheWaitForServices() async throws {
        let fixture = try DockerRunFixture()
        let observer = RecordingObserver()
        let outcome = await fixture.backend.run(
            request(fixture, [DockerRunFixture.step("never", ["echo never"])], services: [
                Self.service("silent", ["sleep 600"], ports: [7010]),
            ]).withTimeout(.seconds(4)),
            observer: observer)

        let events = await observer.events
        #expect(outcome == .timedOut(step: "never", message: "pipeline timed out after 4s"), "\(events)")
        #expect(!events.contains(.started("never")))
        #expect(events.contains(.finished("service silent", 0)))
        fixture.expectNothingLeft()
    }
}

/// A service without `commands` runs its image's own command in the image's working directory.
@Suite(.disabled(if: ProcessInfo.processInfo.environment["FLOWFORGE_SKIP_DOCKER_TESTS"] != nil))
struct DockerServiceImageCommandTests {
    static let image = "flowforge-test/busybox-httpd:1"

    /// The test image with a CMD and WORKDIR of its own, committed from a container (no registry needed).
    static func makeImage() async throws {
        let client = DockerClient(host: try DockerHost(DockerTestPrerequisites.host), http: .shared, logger: Logger(label: "flowforge.runner.tests"))
        let container = try await client.createContainer(DockerContainerConfig(
            Image: DockerRunFixture.image, Cmd: ["sh", "-c", "mkdir -p /srv/www && echo served by the image > /srv/www/index.html"],
            Labels: ["flowforge.test": "image"], HostConfig: .init(NetworkMode: "none", PidsLimit: 16)))
        try await client.startContainer(container)
        #expect(try await client.waitContainer(container) == 0)
        let changes = #"CMD ["/bin/busybox", "httpd", "-f", "-p", "8099"]"# + "\nWORKDIR /srv/www"
        _ = try await client.send(.POST, "/commit", query: [
            ("container", container), ("repo", "flowforge-test/busybox-httpd"), ("tag", "1"), ("changes", changes),
        ])
        try await client.removeContainer(container)
    }

    @Test func withoutCommandsTheImagesOwnCommandRuns() async throws {
        let fixture = try DockerRunFixture()
        try await Self.makeImage()
        let observer = RecordingObserver()
        var request = fixture.request([DockerRunFixture.step("fetch", ["wget -q -O - http://localhost:8099/"])])
        request.plan.services = [PlanService(name: "web", image: Self.image, ports: [8099])]
        let outcome = await fixture.backend.run(request, observer: observer)

        let timeline = await observer.timeline()
        #expect(outcome == .success, "\(timeline)")
        #expect(await observer.output(of: "fetch").contains("served by the image\n"), "httpd served its WORKDIR: \(timeline)")
        fixture.expectNothingLeft()
    }
}

extension RunRequest {
    func withTimeout(_ timeout: Duration) -> RunRequest {
        var request = self
        request.timeout = timeout
        return request
    }
}
