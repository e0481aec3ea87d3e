import FlowForgeCore
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

#if canImport(Glibc)
import Glibc
#endif

/// Services on the local backend: real `/bin/sh` process groups on this machine's own ports.
@Suite("Local backend services")
struct LocalServiceTests {
    let workspace: URL
    let backend = LocalBackend(logger: Logger(label: "test.local-services"))
    let local: LocalBackendTests

    init() throws {
        local = try LocalBackendTests()
        workspace = local.workspace
    }

    func request(_ steps: [PlanStep], services: [PlanService], timeout: Duration = .seconds(60), readyTimeout: Duration = .seconds(30)) -> RunRequest {
        var plan = Plan(steps: steps)
        plan.services = services
        var request = RunRequest(pipelineID: "local-\(UUID().uuidString)", plan: plan, workspace: workspace.path, timeout: timeout)
        request.serviceReadyTimeout = readyTimeout
        request.secrets = ["web-token": "s3cr3t"]
        return request
    }

    static func service(_ name: String, _ commands: [String], ports: [Int] = []) -> PlanService {
        PlanService(name: name, image: "unused:1", commands: commands, environment: ["GREETING": "hello"], secrets: ["TOKEN": "web-token"], ports: ports)
    }

    /// A service that records its shell's pid and its child's in `pids`, then waits on the child.
    static func recorded(_ command: String) -> [String] {
        ["\(command) & echo $! >> pids", "echo $$ >> pids", "wait"]
    }

    var pids: URL { workspace.appendingPathComponent("pids") }

    @Test func aStepReachesTheServiceOnItsPortWithoutRetrying() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        setenv("FLOWFORGE_LOCAL_TEST_SERVER_ONLY", "server-secret", 1)
        let port = try Self.freePort()
        try "served-from-the-workspace\n".write(to: workspace.appendingPathComponent("marker.txt"), atomically: true, encoding: .utf8)
        let observer = RecordingObserver()
        let outcome = await backend.run(request(
            [LocalBackendTests.step("fetch", [
                // One request, no loop: the step starts only once the port accepts connections.
                "python3 -c \"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:\(port)/marker.txt').read().decode())\"",
            ])],
            services: [Self.service("web", [
                "echo \"$GREETING token=$TOKEN server=${FLOWFORGE_LOCAL_TEST_SERVER_ONLY:-unset}\"",
                // Slower to listen than the step is to start: only the readiness wait lets the one request through.
                "sleep 1",
            ] + Self.recorded("python3 -m http.server \(port) --bind 127.0.0.1"), ports: [port])]
        ), observer: observer)

        #expect(outcome == .success)
        #expect(await observer.output(of: "fetch").contains("served-from-the-workspace\n"), "the service ran in the workspace")
        let log = await observer.output(of: "service web")
        #expect(log.hasPrefix(LocalBackend.serviceNotice), "\(log)")
        #expect(log.contains("hello token=s3cr3t server=unset\n"), "a step's environment rules:\n\(log)")
        #expect(log.contains("GET /marker.txt"), "the service's own output is in its log:\n\(log)")
        let timeline = await observer.timeline()
        #expect(timeline.first == .started("service web"), "the service starts before any step")
        #expect(timeline.last == .finished("service web", 0), "stopped by FlowForge after the last step: \(timeline.suffix(2))")
        try await local.expectAllGone(pidsIn: pids, count: 2)
        #expect(try await backend.pipelineIDsWithContainers().isEmpty)
    }

    @Test func aServiceThatDiesFailsTheRunNamingItAndItsExitCode() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request(
            [
                LocalBackendTests.step("long", ["sleep 300 & echo $! >> pids", "touch step-started", "wait"]),
                LocalBackendTests.step("after", ["echo never"], dependsOn: ["long"]),
            ],
            services: [Self.service("db", ["while [ ! -e step-started ]; do sleep 0.05; done", "echo dying", "exit 7"])]
        ), observer: observer)

        #expect(outcome == .failure(step: "service db", message: """
            service db exited with code 7 before the steps ended; its output is in the log under "service db"
            """))
        #expect(await observer.output(of: "service db").contains("\ndying\n"))
        #expect(await observer.events.contains(.finished("service db", 7)))
        #expect(await observer.events.contains(.finished("long", nil)), "the running step was stopped")
        #expect(!(await observer.events.contains(.started("after"))))
        try await local.expectAllGone(pidsIn: pids, count: 1)
    }

    @Test func portsThatStayClosedEndTheRunWithAnErrorNamingThem() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let port = try Self.freePort()
        let observer = RecordingObserver()
        let outcome = await backend.run(request(
            [LocalBackendTests.step("never", ["echo never"])],
            services: [Self.service("db", Self.recorded("sleep 300"), ports: [port])], readyTimeout: .seconds(1)
        ), observer: observer)

        #expect(outcome == .error("""
            service db (port \(port)) did not accept TCP connections on localhost within 1s \
            (FLOWFORGE_SERVICE_READY_TIMEOUT); check that the service listens on that port (on 0.0.0.0 or \
            127.0.0.1) and see its output in the log, or ask the operator to raise the timeout
            """))
        #expect(!(await observer.events.contains(.started("never"))))
        #expect(await observer.events.last == .finished("service db", 0))
        try await local.expectAllGone(pidsIn: pids, count: 2)
    }

    @Test func cancellingTheRunEndsTheServicesWholeGroup() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let backend = self.backend
        let request = request(
            [LocalBackendTests.step("long", ["touch step-started", "sleep 300"])],
            services: [Self.service("db", ["sh -c 'sleep 301 & echo $! >> pids; wait' &", "echo $! >> pids", "echo $$ >> pids", "wait"])])
        let run = Task { await backend.run(request, observer: observer) }
        await observer.wait { $0.contains(.started("long")) }
        while (try? String(contentsOf: pids, encoding: .utf8))?.split(separator: "\n").count ?? 0 < 3 {
            await Task.yield()
        }
        run.cancel()

        #expect(await run.value == .canceled)
        #expect(await observer.events.contains(.finished("service db", nil)))
        try await local.expectAllGone(pidsIn: pids, count: 3)
        #expect(try await backend.pipelineIDsWithContainers().isEmpty)
    }

    @Test func thePipelineTimeoutEndsTheServices() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request(
            [LocalBackendTests.step("slow", ["sleep 300"])],
            services: [Self.service("db", Self.recorded("sleep 300"))], timeout: .seconds(1)
        ), observer: observer)

        #expect(outcome == .timedOut(step: "slow", message: "pipeline timed out after 1s"))
        try await local.expectAllGone(pidsIn: pids, count: 2)
    }

    @Test func aServiceWithOnlyAnImageIsAnErrorSayingSo() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let observer = RecordingObserver()
        var imageOnly = Self.service("db", [])
        imageOnly.image = "postgres:16"
        let outcome = await backend.run(request([LocalBackendTests.step("never", ["echo never"])], services: [imageOnly]), observer: observer)

        guard case .error(let message) = outcome else { Issue.record("\(outcome)"); return }
        #expect(message.hasPrefix("service db has only an image (postgres:16) and no commands: the local backend cannot run an image"), "\(message)")
        #expect(await observer.events.isEmpty, "nothing started")
    }

    @Test func aPortAlreadyTakenOnThisMachineIsAnErrorNamingIt() async throws {
        defer { try? FileManager.default.removeItem(at: workspace) }
        let (listener, port) = try Self.listen()
        defer { close(listener) }
        let observer = RecordingObserver()
        let outcome = await backend.run(request(
            [LocalBackendTests.step("never", ["echo never"])],
            services: [Self.service("web", ["touch started", "sleep 300"], ports: [port])]
        ), observer: observer)

        guard case .error(let message) = outcome else { Issue.record("\(outcome)"); return }
        #expect(message.hasPrefix("port \(port) of service web already accepts connections on 127.0.0.1"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("started").path))
        #expect(await observer.events.isEmpty)
    }

    /// A socket listening on 127.0.0.1 on a port the kernel chose, and that port.
    static func listen() throws -> (Int32, Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(socket, address, length) == 0 && Glibc.listen(socket, 16) == 0 && getsockname(socket, address, &length) == 0
            }
        }
        guard socket >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port nothing listens on now (the kernel's choice, released at once).
    static func freePort() throws -> Int {
        let (socket, port) = try listen()
        close(socket)
        return port
    }
}
