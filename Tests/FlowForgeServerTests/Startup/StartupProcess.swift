import FlowForgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One run of the `flowforge` binary that is expected to end by itself, and the checks every start-up
/// failure must pass: a normal exit with status 1, the one line saying what to do as the last line, and
/// no crash (no `Fatal error`, no backtrace).
struct StartupRun {
    let status: Int32
    let output: String

    static func run(_ arguments: [String], environment: [String: String], directory: URL? = nil) async throws -> StartupRun {
        let process = try ServerProcess(arguments, environment: environment, directory: directory)
        let status = await process.waitForExit(timeout: .seconds(120))
        let output = process.output
        return StartupRun(status: try #require(status, "flowforge \(arguments) did not end:\n\(output)"), output: output)
    }

    var lastLine: String {
        output.split(separator: "\n").last.map(String.init) ?? ""
    }

    func expectCleanFailure(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status == 1, "exit status \(status):\n\(output)", sourceLocation: sourceLocation)
        #expect(lastLine.hasPrefix("flowforge: ") && lastLine.contains(line), "last line: \(lastLine)\n\(output)", sourceLocation: sourceLocation)
        #expect(output.components(separatedBy: line).count == 2, "said more than once:\n\(output)", sourceLocation: sourceLocation)
        for crash in ["Fatal error", "Program crashed", "Backtrace", "was not closed", "shutdown() was not called", "USAGE:"] {
            #expect(!output.contains(crash), "output has \"\(crash)\":\n\(output)", sourceLocation: sourceLocation)
        }
    }
}

/// A TCP socket listening on 127.0.0.1 at a free port, closed on release: a port another process holds.
final class HeldPort {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(descriptor, 1) == 0)
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit { close(descriptor) }
}
