import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Objects in an S3-compatible bucket (DigitalOcean Spaces, MinIO, AWS), addressed path-style
/// (`<endpoint>/<bucket>/<key>`), which every such store serves. Requests are signed with `SignatureV4`;
/// bodies stream in both directions, never held whole in memory.
struct S3ArtifactStore: ArtifactStore {
    let settings: ObjectStoreSettings
    let httpClient: HTTPClient
    var timeout: TimeAmount = .minutes(30)

    func put(key: String, file: URL, size: Int64, sha256: String) async throws {
        var request = signed("PUT", key: key, payloadHash: sha256, extra: ["content-length": "\(size)", "content-type": "application/octet-stream"])
        request.body = .stream(FileChunks(url: file, size: size), length: .known(size))
        let response = try await httpClient.execute(request, timeout: timeout)
        guard response.status == .ok else { throw try await failure("PUT", key, response) }
        _ = try await response.body.collect(upTo: 64 * 1024)
    }

    func read(key: String, _ body: (ByteBuffer) async throws -> Void) async throws -> Bool {
        let response = try await httpClient.execute(signed("GET", key: key, payloadHash: SignatureV4.emptyPayloadHash), timeout: timeout)
        if response.status == .notFound { return false }
        guard response.status == .ok else { throw try await failure("GET", key, response) }
        for try await chunk in response.body { try await body(chunk) }
        return true
    }

    func delete(key: String) async throws {
        let response = try await httpClient.execute(signed("DELETE", key: key, payloadHash: SignatureV4.emptyPayloadHash), timeout: .seconds(60))
        // S3 answers 204 whether or not the key existed; some compatible stores say 404 for a missing one.
        guard [.noContent, .ok, .notFound].contains(response.status) else { throw try await failure("DELETE", key, response) }
        _ = try await response.body.collect(upTo: 64 * 1024)
    }

    private func signed(_ method: String, key: String, payloadHash: String, extra: [String: String] = [:]) -> HTTPClientRequest {
        let path = "/\(SignatureV4.encode(settings.bucket))/\(SignatureV4.encode(key, keepingSlash: true))"
        let host = settings.hostHeader
        var toSign = extra
        toSign["host"] = host
        let signature = SignatureV4(accessKey: settings.accessKey, secretKey: settings.secretKey, region: settings.region)
            .sign(method: method, path: path, headers: toSign, payloadHash: payloadHash, date: Date())
        var request = HTTPClientRequest(url: settings.endpoint + path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "host", value: host)
        for (name, value) in extra where name != "content-length" { request.headers.add(name: name, value: value) }
        for (name, value) in signature { request.headers.add(name: name, value: value) }
        return request
    }

    /// The store's answer, without the secret parts of the request, for the operator's log.
    private func failure(_ method: String, _ key: String, _ response: HTTPClientResponse) async throws -> ArtifactStoreError {
        let body = (try? await response.body.collect(upTo: 8 * 1024)).map { String(buffer: $0) } ?? ""
        let code = body.firstMatch(of: /<Code>([^<]*)<\/Code>/).map { String($0.1) } ?? ""
        return ArtifactStoreError(description: "the bucket refused \(method) \(key): HTTP \(response.status.code) \(code)")
    }
}
