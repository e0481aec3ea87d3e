import FlowForgeTestSupport
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// What a followed log had delivered when its stream broke is passed on before the error: a daemon that
/// drops the connection mid-stream must not take the last lines (usually the ones that explain it) along.
@Suite("log batches when the stream breaks")
struct DockerLogBatchFailureTests {
    /// Answers `GET …/logs` with three framed lines in a chunked body, then, a moment later, closes the
    /// connection without the body's last chunk.
    static let script = #"""
        import socketserver, struct, sys, time
        class Logs(socketserver.StreamRequestHandler):
            def handle(self):
                while self.rfile.readline() not in (b"\r\n", b""):
                    pass
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                for n in (1, 2, 3):
                    line = b"2026-12-08T00:00:0%dZ line %d\n" % (n, n)
                    frame = struct.pack(">BxxxI", 1, len(line)) + line
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                self.wfile.flush()
                # The break comes after the client has had the frames (sent with it, a client may fail the
                # stream before it hands them over), and while the test's store is still busy with them.
                time.sleep(0.2)
                self.request.shutdown(2)
        server = socketserver.TCPServer(("127.0.0.1", 0), Logs)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    actor Received {
        var bytes: [UInt8] = []
        func add(_ chunk: [UInt8]) { bytes += chunk }
    }

    @Test func whatWasReadBeforeTheBreakIsPassedOn() async throws {
        let (process, port) = try PythonTestServer.launch(script: Self.script, arguments: [])
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let client = DockerClient(
            host: try DockerHost("tcp://127.0.0.1:\(port)"), http: .shared, logger: Logger(label: "flowforge.runner.tests"))
        let received = Received()
        var cursor = DockerLogCursor()
        await #expect(throws: (any Error).self) {
            try await client.followLogsInBatches("c", cursor: &cursor) { chunk in
                // A store that takes a moment, and drops what it is given once cancelled (its thread-pool hop
                // refuses a cancelled task): the break is seen while it is still busy.
                try? await Task.sleep(for: .milliseconds(500))
                if Task.isCancelled { return }
                await received.add(chunk)
            }
        }
        let text = String(decoding: await received.bytes, as: UTF8.self)
        #expect(text == "line 1\nline 2\nline 3\n", "\(text)")
    }
}
