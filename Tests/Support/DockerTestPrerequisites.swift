import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that what Docker-backed tests need is there: a daemon answering on its unix socket and the local
/// test image. Asks the Engine API directly (one HTTP/1.0 request per call), so it needs no Docker CLI and
/// no HTTP library.
///
/// CI prepares both with `scripts/ci/start-dockerd.sh` and `scripts/ci/build-test-image.sh`.
public enum DockerTestPrerequisites {
    /// The image tests run steps in: busybox only, built locally, never pulled.
    public static let testImage = "flowforge-test/busybox:latest"

    /// `DOCKER_HOST` if it names a unix socket, else Docker's default socket.
    public static var socketPath: String {
        if let host = ProcessInfo.processInfo.environment["DOCKER_HOST"], host.hasPrefix("unix://") {
            return String(host.dropFirst("unix://".count))
        }
        return "/var/run/docker.sock"
    }

    /// `unix://` + `socketPath`, the form `DockerBackend(host:)` takes.
    public static var host: String { "unix://" + socketPath }

    /// Nil when Docker tests can run; otherwise what is missing and how to provide it.
    public static func problem() -> String? {
        guard let ping = httpStatus(of: "GET", "/_ping"), ping == 200 else {
            return "no Docker daemon answers on \(socketPath); start one with scripts/ci/start-dockerd.sh"
        }
        guard httpStatus(of: "GET", "/images/\(testImage)/json") == 200 else {
            return "the test image \(testImage) is missing; build it with scripts/ci/build-test-image.sh"
        }
        return nil
    }

    /// The HTTP status the daemon answers `method path` with (no body sent), or nil if it cannot be reached.
    public static func httpStatus(of method: String, _ path: String) -> Int? {
        guard let response = exchange("\(method) \(path) HTTP/1.0\r\nHost: docker\r\n\r\n") else { return nil }
        // "HTTP/1.0 200 OK\r\n..."
        let statusLine = response.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = statusLine.split(separator: " ")
        return parts.count >= 2 ? Int(parts[1]) : nil
    }

    /// Ids of the containers, running or not, labelled `flowforge.pipeline=<pipelineID>`; nil if the daemon
    /// cannot be asked. Tests use it to prove a run left nothing behind.
    public static func containerIDs(pipelineID: String) -> [String]? {
        struct Summary: Decodable { var Id: String }
        let filters = #"{"label":["flowforge.pipeline=\#(pipelineID)"]}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        guard let query = filters.addingPercentEncoding(withAllowedCharacters: allowed),
            let response = exchange("GET /containers/json?all=1&filters=\(query) HTTP/1.0\r\nHost: docker\r\n\r\n"),
            response.hasPrefix("HTTP/1.0 200") || response.hasPrefix("HTTP/1.1 200"),
            let body = response.range(of: "\r\n\r\n").map({ response[$0.upperBound...] }),
            let containers = try? JSONDecoder().decode([Summary].self, from: Data(body.utf8))
        else { return nil }
        return containers.map(\.Id)
    }

    /// The daemon's `GET /containers/<id>/json` answer as JSON, or nil if it cannot be had.
    public static func inspect(container id: String) -> [String: Any]? {
        guard let response = exchange("GET /containers/\(id)/json HTTP/1.0\r\nHost: docker\r\n\r\n"),
            response.hasPrefix("HTTP/1.0 200") || response.hasPrefix("HTTP/1.1 200"),
            let body = response.range(of: "\r\n\r\n").map({ response[$0.upperBound...] })
        else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The daemon's `GET /images/<name>/json` answer as JSON, or nil when there is no such image.
    public static func inspectImage(_ name: String) -> [String: Any]? {
        guard let response = exchange("GET /images/\(name)/json HTTP/1.0\r\nHost: docker\r\n\r\n"),
            response.hasPrefix("HTTP/1.0 200") || response.hasPrefix("HTTP/1.1 200"),
            let body = response.range(of: "\r\n\r\n").map({ response[$0.upperBound...] })
        else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// The tags of the images of `repository` (`name:tag`).
    public static func tags(inRepository repository: String) -> [String] {
        struct Summary: Decodable { var RepoTags: [String]? }
        let filters = #"{"reference":["\#(repository)"]}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        guard let query = filters.addingPercentEncoding(withAllowedCharacters: allowed),
            let response = exchange("GET /images/json?filters=\(query) HTTP/1.0\r\nHost: docker\r\n\r\n"),
            let body = response.range(of: "\r\n\r\n").map({ response[$0.upperBound...] }),
            let images = try? JSONDecoder().decode([Summary].self, from: Data(body.utf8))
        else { return [] }
        return images.flatMap { $0.RepoTags ?? [] }.filter { $0.hasPrefix(repository + ":") }
    }

    /// Removes an image a test built (its tags and layers no other image uses).
    public static func removeImage(_ name: String) {
        _ = exchange("DELETE /images/\(name)?force=1 HTTP/1.0\r\nHost: docker\r\n\r\n")
    }

    /// Sends a raw request over the socket and returns the whole answer (HTTP/1.0: the daemon closes after it).
    private static func exchange(_ request: String) -> String? {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            return nil
        }
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer.append(contentsOf: chunk[..<count])
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
