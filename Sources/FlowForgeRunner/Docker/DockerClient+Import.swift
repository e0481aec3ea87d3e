import AsyncHTTPClient
import Foundation
import NIOCore

/// Importing a root filesystem as an image, and asking the daemon what it runs on.
/// See https://docs.docker.com/engine/api/v1.41/#tag/Image/operation/ImageCreate (`fromSrc=-`).
extension DockerClient {
    /// The daemon's CPU architecture in Docker's words (`amd64`, `arm64`, …), from `GET /version`.
    func architecture() async throws -> String {
        struct Version: Decodable { var Arch: String }
        return try decode(Version.self, from: try await send(.GET, "/version")).Arch
    }

    /// Imports `tar` (an uncompressed root filesystem) as `repository:tag`. Like a pull, the daemon may
    /// report a failure as a line `{"error": …}` inside a 200 answer, so the answer is read to its end.
    func importImage(tar: [UInt8], repository: String, tag: String) async throws {
        var request = try request(.POST, "/images/create", query: [("fromSrc", "-"), ("repo", repository), ("tag", tag)])
        request.headers.add(name: "Content-Type", value: "application/x-tar")
        request.body = .bytes(ByteBuffer(bytes: tar))
        let response = try await http.execute(request, timeout: Self.callTimeout, logger: logger)
        if response.status.code >= 400 {
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            throw DockerError.daemon(status: Int(response.status.code), message: Self.message(in: body))
        }
        var lines = DockerJSONLines()
        for try await chunk in response.body {
            for line in lines.feed(chunk.readableBytesView) {
                struct Progress: Decodable { var error: String? }
                if let error = (try? JSONDecoder().decode(Progress.self, from: Data(line)))?.error {
                    throw DockerError.daemon(status: 200, message: error)
                }
            }
        }
    }
}
