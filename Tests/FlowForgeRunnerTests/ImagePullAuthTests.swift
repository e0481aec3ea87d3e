import FlowForgeTestSupport
import FlowForgeCore
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// `image_pull_secret`: the step's registry auth JSON reaches the Engine API's pull as `X-Registry-Auth`,
/// base64url-encoded, and nothing else gets it. A fake Engine endpoint on 127.0.0.1 records what arrives.
@Suite("image pull credentials")
struct ImagePullAuthTests {
    /// `+` and `/` in its standard base64, so the URL-safe alphabet shows.
    static let auth = #"{"username":"ci","password":"~~?>>??","serveraddress":"registry.example.com"}"#

    @Test func theStepsPullCarriesItsRegistryAuthAndThePodsDoesNot() async throws {
        let engine = try FakeEngine()
        defer { engine.stop() }
        let backend = DockerBackend(
            host: "tcp://127.0.0.1:\(engine.port)", network: "none", podImage: "pod-image:1",
            httpClient: .shared, logger: Logger(label: "test.pull"))
        let plan = Plan(steps: [
            PlanStep(name: "private", image: "registry.example.com/team/private:1.0", commands: ["true"], imagePullSecret: "registry"),
            PlanStep(name: "public", image: "registry.example.com/team/public:1.0", commands: ["true"], dependsOn: ["private"]),
        ])
        var request = RunRequest(pipelineID: "pull-\(UUID().uuidString.lowercased())", plan: plan, workspace: "/nonexistent", timeout: .seconds(30))
        request.secrets = ["registry": Self.auth]
        let outcome = await backend.run(request, observer: RecordingObserver())
        // The fake engine refuses to create step containers: the run ends there, after the pull.
        guard case .error = outcome else {
            Issue.record("expected the fake engine's refusal, got \(outcome)")
            return
        }
        let pulls = engine.requests().filter { $0.path.contains("/images/create") }
        #expect(pulls.count == 1, "\(engine.requests())")
        let pull = try #require(pulls.first)
        #expect(pull.path.contains("fromImage=registry.example.com%2Fteam%2Fprivate%3A1.0") || pull.path.contains("fromImage=registry.example.com/team/private:1.0"), "\(pull.path)")
        let header = try #require(pull.registryAuth, "the pull carries X-Registry-Auth")
        let standard = Data(Self.auth.utf8).base64EncodedString()
        #expect(standard.contains("+") && standard.contains("/"))
        #expect(!header.contains("+") && !header.contains("/"), "base64url, not standard base64: \(header)")
        let decoded = Data(base64Encoded: header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))
        #expect(decoded.map { String(decoding: $0, as: UTF8.self) } == Self.auth)
        #expect(engine.requests().filter { $0.registryAuth != nil }.count == 1, "no other call carries the credentials")
    }

    @Test func aPullWithoutASecretSendsNoCredentials() async throws {
        let engine = try FakeEngine()
        defer { engine.stop() }
        let client = DockerClient(host: try DockerHost("tcp://127.0.0.1:\(engine.port)"), http: .shared, logger: Logger(label: "test.pull"))
        try await client.pullImage("registry.example.com/team/public:1.0")
        try await client.pullImage("registry.example.com/team/private:1.0", registryAuth: Self.auth)
        #expect(engine.requests().map { $0.registryAuth != nil } == [false, true])
    }
}

/// A fake Docker Engine API on 127.0.0.1: the pod image exists, other images are pulled (recorded), the pod
/// is created and started, and step containers are refused. Each request is written to a file as one JSON
/// line with its method, path and `X-Registry-Auth` header.
final class FakeEngine: Sendable {
    struct Recorded: Decodable {
        let method: String
        let path: String
        let registryAuth: String?
    }

    let port: Int
    private let process: Process
    private let log: URL

    static let script = #"""
        import hashlib, http.server, json, sys, threading, urllib.parse
        log = sys.argv[1]
        # What the fake daemon holds: name -> image id, and image id -> its tags. Names containing
        # "private" come from a registry that refuses pulls without X-Registry-Auth.
        lock = threading.Lock()
        names = {"pod-image:1": "sha256:" + "0" * 64}
        tags = {"sha256:" + "0" * 64: ["pod-image:1"]}
        class Engine(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def answer(self, status, body=None):
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                auth = self.headers.get("X-Registry-Auth")
                with open(log, "a") as f:
                    f.write(json.dumps({"method": self.command, "path": self.path, "registryAuth": auth}) + "\n")
                parsed = urllib.parse.urlsplit(self.path)
                path = urllib.parse.unquote(parsed.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                image = path.split("/images/", 1)[1].rsplit("/", 1)[0] if "/images/" in path else None
                with lock:
                    if self.command == "GET" and path.endswith("/json") and image is not None:
                        if image not in names:
                            return self.answer(404, {"message": "no such image"})
                        return self.answer(200, {"Id": names[image], "RepoTags": tags[names[image]]})
                    if path.endswith("/images/create"):
                        name = query["fromImage"]
                        if "private" in name and not auth:
                            return self.answer(200, {"error": "unauthorized: authentication required"})
                        names[name] = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
                        tags.setdefault(names[name], []).append(name)
                        return self.answer(200, {"status": "pulled"})
                    if self.command == "POST" and path.endswith("/tag") and image in names:
                        tag = query["repo"] + ":" + query["tag"]
                        names[tag] = names[image]
                        tags[names[image]].append(tag)
                        return self.answer(201)
                if path.endswith("/containers/create"):
                    if b"flowforge.step" in body:
                        return self.answer(500, {"message": "the fake engine creates no step containers"})
                    return self.answer(201, {"Id": "pod-container", "Warnings": []})
                if path.endswith("/start"):
                    return self.answer(204)
                if path.endswith("/containers/json"):
                    return self.answer(200, [])
                return self.answer(204) if self.command == "DELETE" else self.answer(404, {"message": "not faked"})
            do_GET = do_POST = do_DELETE = handle_any
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Engine)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init() throws {
        log = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-fake-engine-\(UUID().uuidString)")
        (process, port) = try PythonTestServer.launch(script: Self.script, arguments: [log.path])
    }

    func requests() -> [Recorded] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Recorded.self, from: Data($0.utf8)) }
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: the test process's blocked signals are inherited, so SIGTERM may never arrive.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
}
