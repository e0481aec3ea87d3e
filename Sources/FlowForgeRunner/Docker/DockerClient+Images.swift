import AsyncHTTPClient
import FlowForgeCore
import Foundation
import NIOCore

/// Image calls. See https://docs.docker.com/engine/api/v1.41/#tag/Image
extension DockerClient {
    /// Longest a pull may take; big images on slow registries take minutes, not hours.
    static let pullTimeout: TimeAmount = .minutes(30)

    /// Whether the image is present locally. The name goes into the URL path, so it must be a valid
    /// reference (no `..`, `?` or `&` can then reach the path) and is percent-encoded on top.
    func imageExists(_ image: String) async throws -> Bool {
        let reference = try Self.validReference(image)
        let response = try await send(.GET, "/images/\(Self.pathSegment(reference.pullReference))/json", accepting: [404])
        return response.status.code == 200
    }

    /// Pulls an image; throws `DockerError.registryUnreachable` when the registry cannot be reached, else
    /// `DockerError.imageNotFound` when it cannot.
    ///
    /// The daemon reports a failure either as an error status or, once the pull has begun, as a line
    /// `{"error": "..."}` inside a 200 answer, so the progress stream is read to its end. Its text can
    /// carry the registry's own answer body, i.e. whatever a service at that address returned: only a
    /// fixed sentence reaches the pipeline's error (`pullFailure`); the daemon's words go to the log.
    ///
    /// `registryAuth`, a registry auth JSON document (`{"username", "password", "serveraddress"}`), goes to
    /// the daemon as `X-Registry-Auth`, as the Engine API asks: base64url of the JSON.
    func pullImage(_ image: String, registryAuth: String? = nil) async throws {
        let reference = try Self.validReference(image)
        var request = try request(.POST, "/images/create", query: [("fromImage", reference.pullReference)])
        if let registryAuth { request.headers.replaceOrAdd(name: "X-Registry-Auth", value: Self.registryAuthHeader(registryAuth)) }
        let response = try await http.execute(request, timeout: Self.pullTimeout, logger: logger)
        if response.status.code >= 400 {
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            throw pullFailure(image, status: Int(response.status.code), daemonMessage: Self.message(in: body))
        }
        var lines = DockerJSONLines()
        for try await chunk in response.body {
            for line in lines.feed(chunk.readableBytesView) {
                if let error = Self.pullError(in: line) {
                    throw pullFailure(image, status: nil, daemonMessage: error)
                }
            }
        }
        // A last document without its newline still counts: an error there is still a failed pull.
        if let rest = lines.rest(), let error = Self.pullError(in: rest) {
            throw pullFailure(image, status: nil, daemonMessage: error)
        }
    }

    /// base64url (RFC 4648 §5, padded) of the auth JSON, the form the daemon decodes.
    static func registryAuthHeader(_ json: String) -> String {
        Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }

    /// Without a tag, the daemon would pull every tag of the repository; FlowForge means `latest`.
    static func referenceWithTag(_ image: String) -> String {
        (try? ImageReference.parse(image).pullReference) ?? image
    }

    static func validReference(_ image: String) throws -> ImageReference {
        do {
            return try ImageReference.parse(image)
        } catch {
            throw DockerError.invalidImage(image: image, reason: error.reason)
        }
    }

    /// A valid reference percent-encoded for a URL path; `/`, `:` and `@` stay, as Docker's routes expect.
    static func pathSegment(_ reference: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/:@")
        return reference.addingPercentEncoding(withAllowedCharacters: allowed) ?? reference
    }

    /// The error a pipeline shows for a failed pull: one of a few fixed sentences chosen from the daemon's
    /// message, never the message itself. A registry that cannot be reached is told apart from one that
    /// answered it has no such image: the fixes differ (start the registry, or correct the name).
    func pullFailure(_ image: String, status: Int?, daemonMessage: String) -> DockerError {
        logger.warning("image pull failed", metadata: [
            "image": "\(image)", "status": "\(status.map(String.init) ?? "-")", "daemon_message": "\(daemonMessage.prefix(500))",
        ])
        let registry = Self.registryName(of: image)
        if let unreachable = Self.unreachableReason(daemonMessage) {
            return .registryUnreachable(image: image, registry: registry, reason: unreachable)
        }
        let lowered = daemonMessage.lowercased()
        let reason: String
        if lowered.contains("toomanyrequests") || lowered.contains("rate limit") {
            reason = "the registry's pull rate limit was reached; try again later"
        } else if lowered.contains("denied") || lowered.contains("unauthorized") || lowered.contains("authentication required") {
            reason = "the registry refused access; check the name (a private image needs credentials FlowForge does not have)"
        } else if status == 404 || lowered.contains("manifest unknown") || lowered.contains("not found") {
            reason = "the registry \(registry) answered that it has no such image or tag; check the name and tag"
        } else {
            reason = "the pull failed; check the name and that the registry is up"
        }
        return .imageNotFound(image: image, reason: reason)
    }

    /// The registry host an image is pulled from; Docker Hub for names without one.
    static func registryName(of image: String) -> String {
        (try? ImageReference.parse(image))?.registry ?? "docker.io"
    }

    /// Why the daemon could not connect to the registry at all, in FlowForge's words; nil when it did
    /// connect (or the message says nothing of a connection). The daemon reports Go's dial errors:
    /// `dial tcp 127.0.0.1:1: connect: connection refused`, `lookup … no such host`, `i/o timeout`, ….
    static func unreachableReason(_ daemonMessage: String) -> String? {
        let lowered = daemonMessage.lowercased()
        let reasons: [(String, String)] = [
            ("connection refused", "nothing accepts connections at its address (connection refused)"),
            ("no such host", "its host name does not resolve (no such host)"),
            ("server misbehaving", "its host name could not be resolved (the DNS server failed)"),
            ("i/o timeout", "connecting timed out"),
            ("tls handshake timeout", "connecting timed out (TLS handshake)"),
            ("network is unreachable", "the network is unreachable from the Docker host"),
            ("no route to host", "there is no route to it from the Docker host"),
            ("connection reset", "it reset the connection"),
        ]
        if let match = reasons.first(where: { lowered.contains($0.0) }) { return match.1 }
        return lowered.contains("dial tcp") ? "the Docker host could not connect to it" : nil
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

    /// What followed the last newline, if anything: the stream ended there.
    mutating func rest() -> [UInt8]? {
        defer { pending = [] }
        return pending.isEmpty ? nil : pending
    }
}
