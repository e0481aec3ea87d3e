import CLibGit2
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The plain TCP stream libgit2 uses for every git connection (HTTP, and under TLS for HTTPS), replacing
/// its built-in one, which blocks without a timeout and connects to whatever the name resolves to then.
///
/// Each connection obeys the calling thread's `FetchGuard`:
/// - every connection of a fetch goes to the host and port of its first one (no redirects elsewhere);
/// - the host is resolved here, every address is checked against the guard's policy, and the socket
///   connects to a checked address, so a name that re-resolves to a private address after the URL check
///   (DNS rebinding) is still refused;
/// - connect, read and write wait in `poll` slices of at most 100 ms, and fail once the guard's deadline
///   passes or it is cancelled, so a server that accepts and then stalls costs at most the deadline.
/// Without a guard (no fetch in progress on this thread) connections are refused: FlowForge opens git
/// connections only from fetches.
enum GuardedSocketStream {
    /// One open connection; found from libgit2's `git_stream` pointer. Only touched by the one thread
    /// running its fetch (libgit2 uses a stream from the thread that opened it).
    final class Connection: @unchecked Sendable {
        let host: String
        let port: String
        let guardian: FetchGuard
        var descriptor: Int32 = -1

        init(host: String, port: String, guardian: FetchGuard) {
            self.host = host
            self.port = port
            self.guardian = guardian
        }
    }

    /// Registers the stream with libgit2 (once per process, from `LibGit2.ensureInitialized`).
    static func register() -> Bool {
        var registration = git_stream_registration()
        registration.version = 1
        registration.`init` = { out, host, port in
            GuardedSocketStream.make(out, host: host.map { String(cString: $0) }, port: port.map { String(cString: $0) })
        }
        registration.wrap = nil
        return git_stream_register(GIT_STREAM_STANDARD, &registration) == 0
    }

    private static let connections = Mutex<[UInt: Connection]>([:])

    /// The stream's address as a dictionary key (a plain number, so the table is Sendable).
    private static func key(_ stream: UnsafeMutablePointer<git_stream>) -> UInt {
        UInt(bitPattern: stream)
    }

    private static func connection(_ stream: UnsafeMutablePointer<git_stream>?) -> Connection? {
        guard let stream else { return nil }
        return connections.withLock { $0[key(stream)] }
    }

    private static func fail(_ message: String) -> Int32 {
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), message)
        return -1
    }

    private static func make(
        _ out: UnsafeMutablePointer<UnsafeMutablePointer<git_stream>?>?, host: String?, port: String?
    ) -> Int32 {
        guard let out, let host, let port else { return fail("no host to connect to") }
        guard let guardian = FetchGuard.current else {
            return fail("git connections are only opened by FlowForge's fetches")
        }
        let stream = UnsafeMutablePointer<git_stream>.allocate(capacity: 1)
        stream.initialize(to: git_stream())
        stream.pointee.version = 1
        stream.pointee.encrypted = 0
        stream.pointee.proxy_support = 0
        stream.pointee.connect = { GuardedSocketStream.connect($0) }
        stream.pointee.read = { stream, buffer, length in GuardedSocketStream.read(stream, buffer, length) }
        stream.pointee.write = { stream, buffer, length, _ in GuardedSocketStream.write(stream, buffer, length) }
        stream.pointee.close = { GuardedSocketStream.close($0) }
        stream.pointee.free = { GuardedSocketStream.free($0) }
        let connection = Connection(host: host, port: port, guardian: guardian)
        connections.withLock { $0[key(stream)] = connection }
        out.pointee = stream
        return 0
    }

    private static func connect(_ stream: UnsafeMutablePointer<git_stream>?) -> Int32 {
        guard let connection = connection(stream) else { return fail("unknown stream") }
        let guardian = connection.guardian
        if let stop = guardian.stopReason() { return fail(stop) }
        // An IPv6 literal arrives with its URL brackets.
        var host = connection.host
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard guardian.permitsConnection(host: host, port: connection.port) else {
            return fail("the git server redirected to \(host):\(connection.port), another host or port, which FlowForge does not follow")
        }

        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, connection.port, &hints, &list)
        guard resolved == 0, let first = list else {
            return fail("could not resolve \(host): \(String(decoding: UnsafeRawBufferPointer(start: gai_strerror(resolved), count: strlen(gai_strerror(resolved))), as: UTF8.self))")
        }
        defer { freeaddrinfo(first) }
        // Every address the name has must be allowed, as the URL policy checks, not just the one tried first.
        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            guard guardian.permits(numericAddress(info)) else {
                return fail("\(host) resolves to \(numericAddress(info)), a loopback, private, link-local or other special-purpose address, which FlowForge does not fetch from")
            }
            candidates.append(info)
            cursor = info.pointee.ai_next
        }
        var lastError = ECONNREFUSED
        for info in candidates {
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard descriptor >= 0 else {
                lastError = errno
                continue
            }
            if Glibc.connect(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                switch waitFor(Int16(POLLOUT), on: descriptor, guardian: guardian) {
                case .ready:
                    var socketError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length)
                    if socketError == 0 {
                        connection.descriptor = descriptor
                        return 0
                    }
                    lastError = socketError
                case .stopped(let reason):
                    Glibc.close(descriptor)
                    return fail(reason)
                case .failed(let code):
                    lastError = code
                }
            } else {
                lastError = errno
            }
            Glibc.close(descriptor)
        }
        return fail("could not connect to \(host):\(connection.port): \(errorText(lastError))")
    }

    private static func read(_ stream: UnsafeMutablePointer<git_stream>?, _ buffer: UnsafeMutableRawPointer?, _ length: Int) -> Int {
        guard let connection = connection(stream), connection.descriptor >= 0 else { return Int(fail("not connected")) }
        while true {
            let count = recv(connection.descriptor, buffer, length, 0)
            if count >= 0 { return count }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return Int(fail("reading from \(connection.host) failed: \(errorText(errno))"))
            }
            switch waitFor(Int16(POLLIN), on: connection.descriptor, guardian: connection.guardian) {
            case .ready: continue
            case .stopped(let reason): return Int(fail(reason))
            case .failed(let code): return Int(fail("reading from \(connection.host) failed: \(errorText(code))"))
            }
        }
    }

    private static func write(_ stream: UnsafeMutablePointer<git_stream>?, _ buffer: UnsafePointer<CChar>?, _ length: Int) -> Int {
        guard let connection = connection(stream), connection.descriptor >= 0, let buffer else { return Int(fail("not connected")) }
        var written = 0
        while written < length {
            let count = send(connection.descriptor, buffer + written, length - written, Int32(MSG_NOSIGNAL))
            if count >= 0 {
                written += count
                continue
            }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                return Int(fail("writing to \(connection.host) failed: \(errorText(errno))"))
            }
            switch waitFor(Int16(POLLOUT), on: connection.descriptor, guardian: connection.guardian) {
            case .ready: continue
            case .stopped(let reason): return Int(fail(reason))
            case .failed(let code): return Int(fail("writing to \(connection.host) failed: \(errorText(code))"))
            }
        }
        return written
    }

    private static func close(_ stream: UnsafeMutablePointer<git_stream>?) -> Int32 {
        guard let connection = connection(stream) else { return 0 }
        if connection.descriptor >= 0 {
            Glibc.close(connection.descriptor)
            connection.descriptor = -1
        }
        return 0
    }

    private static func free(_ stream: UnsafeMutablePointer<git_stream>?) {
        guard let stream else { return }
        _ = close(stream)
        _ = connections.withLock { $0.removeValue(forKey: key(stream)) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    enum Wait {
        case ready
        case stopped(String)
        case failed(Int32)
    }

    /// Waits until `descriptor` is ready for `events`, in slices short enough to notice a cancel soon.
    private static func waitFor(_ events: Int16, on descriptor: Int32, guardian: FetchGuard) -> Wait {
        while true {
            if let stop = guardian.stopReason() { return .stopped(stop) }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let result = poll(&entry, 1, guardian.remainingMilliseconds(cap: 100))
            if result > 0 { return .ready }  // errors and hang-ups surface in the following call
            if result < 0 && errno != EINTR { return .failed(errno) }
        }
    }

    private static func numericAddress(_ info: UnsafeMutablePointer<addrinfo>) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 else {
            return "an unreadable address"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func errorText(_ code: Int32) -> String {
        String(decoding: UnsafeRawBufferPointer(start: strerror(code), count: strlen(strerror(code))), as: UTF8.self)
    }
}
