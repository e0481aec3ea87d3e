import FlowForgeGit
import FlowForgeTestSupport
import Foundation
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The fetch's own connections: addresses checked when they are made, and a stall ended by cancellation.
@Suite("Fetch guard", .timeLimit(.minutes(2)))
struct FetchGuardTests {
    func cache(in fixture: GitFixture, allowLocal: Bool, timeout: Duration = .seconds(600)) -> GitMirrorCache {
        GitMirrorCache(
            root: fixture.base.appendingPathComponent("guarded-mirrors", isDirectory: true), logger: fixture.logger,
            checkoutTimeout: timeout, allowLocalAddresses: allowLocal)
    }

    /// Whatever passed the URL check earlier (or re-resolves differently now), the connection itself refuses
    /// loopback when local addresses are not allowed: by IP literal and by a name resolving to it.
    @Test(arguments: ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
    func loopbackIsRefusedWhenTheFetchConnects(host: String) async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("private.git")
        try repository.commit(["README": "x"])
        let cache = cache(in: fixture, allowLocal: false)
        let url = "http://\(host):\(server.port)/private.git"
        do {
            _ = try await cache.checkout(repoURL: url, branch: "main", commit: nil, credentials: nil,
                into: fixture.newWorkspace(), logger: fixture.logger)
            Issue.record("a fetch from \(host) was allowed")
        } catch {
            #expect(error.description.contains("which FlowForge does not fetch from"), "\(error)")
        }
        // The same server, allowed: the refusal was the policy, not the server.
        let allowed = self.cache(in: fixture, allowLocal: true)
        _ = try await allowed.checkout(repoURL: "http://127.0.0.1:\(server.port)/private.git", branch: "main", commit: nil,
            credentials: nil, into: fixture.newWorkspace(), logger: fixture.logger)
    }

    @Test func cancellingAStalledFetchEndsItAndFreesTheMirror() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        // Accepts connections and never answers.
        let listener = try StallingListener()
        defer { listener.close() }
        let cache = cache(in: fixture, allowLocal: true)
        let url = "http://127.0.0.1:\(listener.port)/stuck.git"
        let logger = fixture.logger
        let workspace = fixture.newWorkspace()
        let task = Task {
            try await cache.checkout(repoURL: url, branch: "main", commit: nil, credentials: nil, into: workspace, logger: logger)
        }
        while listener.acceptedCount() == 0 { try await Task.sleep(for: .milliseconds(20)) }
        let cancelled = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - cancelled < .seconds(3))
        guard case .failure(let error) = result else {
            Issue.record("a stalled fetch succeeded")
            return
        }
        #expect("\(error)".contains("stopped"), "\(error)")

        // The mirror's lock is free: a second checkout of the URL gets to the network at once (and times out).
        let quick = self.cache(in: fixture, allowLocal: true, timeout: .seconds(1))
        let started = ContinuousClock.now
        await #expect(throws: GitError.self) {
            try await quick.checkout(repoURL: url, branch: "main", commit: nil, credentials: nil,
                into: fixture.newWorkspace(), logger: logger)
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}

/// A TCP listener on 127.0.0.1 that accepts connections on a thread of its own and never answers.
final class StallingListener: @unchecked Sendable {
    let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0
                    && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            Glibc.close(fd)
            throw CancellationError()
        }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let descriptor = fd
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }
                lock.withLock { accepted.append(client) }
            }
        }
    }

    func acceptedCount() -> Int { lock.withLock { accepted.count } }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        Glibc.close(descriptor)
        lock.withLock { accepted.forEach { _ = Glibc.close($0) } }
    }
}
