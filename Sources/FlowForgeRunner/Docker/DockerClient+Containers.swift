import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Container lifecycle calls. See https://docs.docker.com/engine/api/v1.41/#tag/Container
extension DockerClient {
    struct ContainerSummary: Decodable, Sendable {
        var Id: String
        var Labels: [String: String]?
    }

    /// Creates a container; returns its id. A 404 means the image is not present locally.
    func createContainer(_ config: DockerContainerConfig) async throws -> String {
        struct Created: Decodable { var Id: String }
        let response = try await send(.POST, "/containers/create", json: config)
        return try decode(Created.self, from: response).Id
    }

    func startContainer(_ id: String) async throws {
        // 304: already started, which is what we wanted.
        _ = try await send(.POST, "/containers/\(id)/start", accepting: [304])
    }

    /// Waits until the container is not running and returns its exit code.
    ///
    /// The daemon answers only when the container stops, so the call may stay silent for as long as the step
    /// runs; an HTTP client with a read timeout would give up first, so a read timeout just asks again
    /// (`not-running` answers at once for a container that has already stopped).
    func waitContainer(_ id: String) async throws -> Int32 {
        struct Waited: Decodable { var StatusCode: Int64 }
        while true {
            do {
                let request = try request(.POST, "/containers/\(id)/wait", query: [("condition", "not-running")])
                let response = try await http.execute(request, deadline: .distantFuture, logger: logger)
                let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                if response.status.code >= 400 {
                    throw DockerError.daemon(status: Int(response.status.code), message: Self.message(in: body))
                }
                let waited = try decode(Waited.self, from: Response(status: response.status, body: body))
                return Int32(truncatingIfNeeded: waited.StatusCode)
            } catch let error as HTTPClientError where error == .readTimeout {
                continue
            }
        }
    }

    /// Sends SIGKILL. A container that is already stopped or gone is not an error (safe to call twice).
    func killContainer(_ id: String) async throws {
        _ = try await send(.POST, "/containers/\(id)/kill", accepting: [404, 409])
    }

    /// Force-removes a container and its anonymous volumes; returns false when it was already gone.
    @discardableResult
    func removeContainer(_ id: String) async throws -> Bool {
        let response = try await send(
            .DELETE, "/containers/\(id)", query: [("force", "true"), ("v", "true")], accepting: [404, 409])
        // 409: removal already in progress (another cleanup got there first).
        return response.status.code < 400
    }

    /// Containers, running or not, carrying `label` (`key` or `key=value`).
    func listContainers(label: String) async throws -> [ContainerSummary] {
        let filters = String(decoding: try JSONEncoder().encode(["label": [label]]), as: UTF8.self)
        let response = try await send(.GET, "/containers/json", query: [("all", "true"), ("filters", filters)])
        return try decode([ContainerSummary].self, from: response)
    }
}
