import FlowForgeTestSupport
import Foundation

/// A small Python server on 127.0.0.1 for network edge cases the git test server cannot play: a registry
/// that answers with a marker body, a git server that redirects elsewhere, one that accepts and stalls.
/// It prints its port first; it counts connections in a file; `stop()` (or release) ends it.
final class ScriptedTestServer: Sendable {
    let port: Int
    private let process: Process
    private let counter: URL

    /// `script` gets `sys.argv[1]` = the counter file (append one byte per request or connection) and
    /// `sys.argv[2...]` = `arguments`; it must print its port on the first line.
    init(script: String, arguments: [String] = []) throws {
        counter = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-scripted-\(UUID().uuidString)")
        (process, port) = try PythonTestServer.launch(script: script, arguments: [counter.path] + arguments)
    }

    /// Requests (or connections) seen so far.
    func count() -> Int {
        ((try? Data(contentsOf: counter)) ?? Data()).count
    }

    func stop() {
        if process.isRunning {
            // SIGKILL: the test process's blocked signals are inherited, so SIGTERM may never arrive.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: counter)
    }

    deinit { stop() }

    /// Answers every HTTP request with `status`, optional `Location`, and `body`; with `registry`, `GET /v2/`
    /// answers 200 as a registry's API check does, so that a pull goes on to ask for the manifest.
    static func http(status: Int, body: String, location: String? = nil, registry: Bool = false) throws -> ScriptedTestServer {
        try ScriptedTestServer(script: """
            import http.server, sys
            counter, status, body, location, registry = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4], sys.argv[5] == "1"
            class H(http.server.BaseHTTPRequestHandler):
                def answer(self):
                    open(counter, "a").write("x")
                    if registry and self.path == "/v2/":
                        self.send_response(200)
                        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
                        self.send_header("Content-Length", "2")
                        self.end_headers()
                        self.wfile.write(b"{}")
                        return
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location + self.path)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                do_GET = do_HEAD = do_POST = answer
                def log_message(self, *args): pass
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, arguments: [String(status), body, location ?? "", registry ? "1" : "0"])
    }

    /// Accepts TCP connections; the first `stalled` are held open and never answered, later ones are
    /// relayed to 127.0.0.1:`backend`.
    static func stalling(first stalled: Int, thenRelayTo backend: Int) throws -> ScriptedTestServer {
        try ScriptedTestServer(script: """
            import socket, sys, threading
            counter, stalled, backend = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(64)
            print(listener.getsockname()[1], flush=True)
            held = []
            def pump(a, b):
                try:
                    while True:
                        data = a.recv(65536)
                        if not data: break
                        b.sendall(data)
                except OSError: pass
                finally:
                    for s in (a, b):
                        try: s.shutdown(socket.SHUT_RDWR)
                        except OSError: pass
            seen = 0
            while True:
                client, _ = listener.accept()
                open(counter, "a").write("x")
                seen += 1
                if seen <= stalled:
                    held.append(client)
                    continue
                upstream = socket.create_connection(("127.0.0.1", backend))
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
            """, arguments: [String(stalled), String(backend)])
    }
}

/// Carries a pipeline's JSON out of a `withTestApp` body (which is `@Sendable`); written once, read after.
final class PipelineBox: @unchecked Sendable {
    var value: [String: Any] = [:]
}
