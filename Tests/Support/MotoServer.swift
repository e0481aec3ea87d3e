import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// moto (PyPI) in server mode, a local S3-compatible server, run by the test that needs it on a free port of
/// 127.0.0.1 and killed when this is released. `scripts/ci/install-moto.sh` (run by `scripts/test.sh`)
/// installs it into `.build/moto`; `MOTO_SERVER` may name another `moto_server` executable.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    public var endpoint: String { "http://127.0.0.1:\(port)" }
    private let process: Process
    private let logFile: URL

    public static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["MOTO_SERVER"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/moto/bin/moto_server")
    }

    public struct NotAvailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `moto_server` and returns once it answers HTTP.
    public init(timeout: Duration = .seconds(60)) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            throw NotAvailable(description: "moto is not installed at \(Self.executable.path): run scripts/ci/install-moto.sh (or set MOTO_SERVER)")
        }
        port = try LocalStripe.freePort()
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process = Process()
        process.executableURL = Self.executable
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
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
                throw NotAvailable(description: "moto_server did not answer on 127.0.0.1:\(port): \(output)")
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

    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// True when an HTTP request to the port gets any HTTP answer.
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
        let request = Array("GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard write(fd, request, request.count) == request.count else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(fd, &buffer, buffer.count)
        return count > 0 && String(decoding: buffer[0..<count], as: UTF8.self).hasPrefix("HTTP/")
    }
}
