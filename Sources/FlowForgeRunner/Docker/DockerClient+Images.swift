import AsyncHTTPClient
import Foundation
import NIOCore

/// Image calls. See https://docs.docker.com/engine/api/v1.41/#tag/Image
extension DockerClient {
    /// Longest a pull may take; big images on slow registries take minutes, not hours.
    static let pullTimeout: TimeAmount = .minutes(30)

    /// Whether the image is present locally.
    func imageExists(_ image: String) async throws -> Bool {
        let response = try await send(.GET, "/images/\(image)/json", accepting: [404])
        return response.status.code == 200
    }

    /// Pulls an image; throws `DockerError.imageNotFound` with the daemon's reason when it cannot.
    ///
    /// The daemon reports a failure either as an error status or, once the pull has begun, as a line
    /// `{"error": "..."}` inside a 200 answer, so the progress stream is read to its end.
    func pullImage(_ image: String) async throws {
        let request = try request(.POST, "/images/create", query: [("fromImage", Self.referenceWithTag(image))])
        let response = try await http.execute(request, timeout: Self.pullTimeout, logger: logger)
        if response.status.code >= 400 {
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            throw DockerError.imageNotFound(image: image, reason: Self.message(in: body))
        }
        var lines = DockerJSONLines()
        for try await chunk in response.body {
            for line in lines.feed(chunk.readableBytesView) {
                if let error = Self.pullError(in: line) {
                    throw DockerError.imageNotFound(image: image, reason: error)
                }
            }
        }
    }

    /// Without a tag, the daemon would pull every tag of the repository; FlowForge means `latest`.
    static func referenceWithTag(_ image: String) -> String {
        if image.contains("@") { return image }
        let lastComponent = image.split(separator: "/").last ?? ""
        return lastComponent.contains(":") ? image : image + ":latest"
    }

    private static func pullError(in line: [UInt8]) -> String? {
        struct Progress: Decodable { var error: String? }
        return (try? JSONDecoder().decode(Progress.self, from: Data(line)))?.error
    }
}

/// Splits a stream of newline-separated JSON documents into lines, across chunk borders.
struct DockerJSONLines {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: some Sequence<UInt8>) -> [[UInt8]] {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(Array(pending[..<newline]))
            pending.removeSubrange(...newline)
        }
        return lines
    }
}
