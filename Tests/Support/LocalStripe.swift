import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// localstripe (PyPI), a stateful fake Stripe, run as a child process on a free port of 127.0.0.1 for the
/// tests that need it. It is started by the test, answers only on loopback, keeps its state in memory (not
/// in its usual file under the temporary folder, which parallel runs would share), and is killed when this
/// is released. `scripts/ci/install-localstripe.sh` (run by `scripts/test.sh`) installs it into `.build/localstripe`.
public final class LocalStripe: @unchecked Sendable {
    public let port: Int
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let logFile: URL

    /// The venv's python: `LOCALSTRIPE_PYTHON`, else `.build/localstripe/bin/python` in the package.
    public static var python: URL {
        if let path = ProcessInfo.processInfo.environment["LOCALSTRIPE_PYTHON"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/localstripe/bin/python")
    }

    /// localstripe's own server module, bound to loopback only, with its save-to-disk turned off.
    static let launcher = """
        import sys
        from aiohttp import web
        from localstripe import resources, server
        resources.Store.dump_to_disk = lambda self: None
        web.run_app(server.app, host='127.0.0.1', port=int(sys.argv[1]), access_log=None, print=None)
        """

    public struct NotAvailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts localstripe and returns once it answers an authenticated request.
    public init(timeout: Duration = .seconds(30)) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python.path) else {
            throw NotAvailable(description: "localstripe is not installed at \(Self.python.path): run scripts/ci/install-localstripe.sh (or set LOCALSTRIPE_PYTHON)")
        }
        port = try Self.freePort()
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("localstripe-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = Self.python
        process.arguments = ["-c", Self.launcher, String(port)]
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? handle.close()
        let deadline = ContinuousClock.now + timeout
        while !Self.answers(port: port) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                let output = log
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                throw NotAvailable(description: "localstripe did not answer on 127.0.0.1:\(port): \(output)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: logFile)
    }

    /// What localstripe printed so far.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// A port the kernel just handed out on 127.0.0.1 and that is free again.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NotAvailable(description: "no socket for a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NotAvailable(description: "could not bind 127.0.0.1:0") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when `GET /v1/customers` with a test key answers 200.
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = Array("GET /v1/customers HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk_test_probe\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { return false }
        return String(decoding: buffer[0..<count], as: UTF8.self).contains(" 200 ")
    }
}
