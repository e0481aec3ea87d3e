import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DockerHost {
    /// Connects to a `unix://` daemon socket and hangs up, to tell "no daemon there" apart from a slow one
    /// before any Engine API call: the HTTP client would keep retrying a refused connection until its
    /// 60-second deadline. Returns what is wrong, or nil when something accepts connections (or the host is
    /// `tcp://`, where a connect could block for minutes; those calls keep the client's deadline).
    func unreachableReason() -> String? {
        guard let path = socketPath else { return nil }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return "socket path longer than \(capacity - 1) bytes" }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return connected == 0 ? nil : String(cString: strerror(errno))
    }
}
